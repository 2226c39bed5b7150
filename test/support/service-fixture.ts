// Setup the service tests share: a redis-server for the whole file, and the GridCoreService
// over memory stores as the extension would create it (minus VS Code).
import { after, before } from 'node:test';
import { MemoryKeyValueStore, MemorySecretStore, silentLogger, type Logger } from '../../src/core/ports';
import type { GridCoreService, ServiceSettings } from '../../src/core/service-api';
import { createGridCoreService } from '../../src/core/service';
import { startRedis, type TestRedis } from './redis';

/**
 * A redis-server started before the tests of the current file or describe() and stopped after
 * them. The handle can be taken at load time: it forwards to the server once it runs.
 */
export function useRedis(opts: { password?: string } = {}): TestRedis {
  let r: TestRedis | undefined;
  before(async () => {
    r = await startRedis(opts);
  });
  after(() => r?.stop());
  const started = (): TestRedis => {
    if (!r) throw new Error('useRedis: the redis-server is started by a before() hook, not yet run');
    return r;
  };
  return {
    get port() {
      return started().port;
    },
    get password() {
      return started().password;
    },
    get url() {
      return started().url;
    },
    kill: () => started().kill(),
    restart: () => started().restart(),
    stop: () => started().stop(),
  };
}

/** The service over memory stores, with hub and Redis timeouts short enough for a test. */
export function memoryService(o: { logger?: Logger; settings?: Partial<ServiceSettings> } = {}): GridCoreService {
  return createGridCoreService({
    secrets: new MemorySecretStore(),
    state: new MemoryKeyValueStore(),
    logger: o.logger ?? silentLogger,
    settings: () => ({ hubTimeoutMs: 3000, redisTimeoutMs: 2000, ...o.settings }),
  });
}
