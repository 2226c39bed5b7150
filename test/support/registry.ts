// A real container registry for tests: Debian's `docker-registry` (the distribution registry,
// apt-get install docker-registry) on a free loopback port, storage in a temp folder, with
// htpasswd (apache2-utils) basic auth so that wrong credentials can be tested too.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './redis';

export interface TestRegistry {
  /** `127.0.0.1:PORT`, as an image reference names it */
  host: string;
  username: string;
  password: string;
  pid: number;
  /** GET on the registry API with the right credentials; `path` starts with /v2/ */
  get<T = unknown>(path: string): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

export async function startRegistry(o: { username?: string; password?: string } = {}): Promise<TestRegistry> {
  const username = o.username ?? 'gridcore';
  const password = o.password ?? `reg-${process.pid}-${Date.now().toString(36)}`;
  const dir = mkdtempSync(join(tmpdir(), 'gc-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  // -B: bcrypt, the only hash the registry accepts
  writeFileSync(join(dir, 'htpasswd'), execFileSync('htpasswd', ['-Bbn', username, password]));
  writeFileSync(
    join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'data')}`,
      'http:',
      `  addr: ${host}`,
      '  secret: gridcore-test',
      'auth:',
      '  htpasswd:',
      '    realm: gridcore-test',
      `    path: ${join(dir, 'htpasswd')}`,
      '',
    ].join('\n'),
  );
  const log = join(dir, 'registry.log');
  const proc = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', openSync(log, 'a'), openSync(log, 'a')] });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const onExit = () => proc.exitCode === null && proc.kill('SIGKILL');
  process.once('exit', onExit);
  const auth = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const get = async <T>(path: string) => {
    const res = await fetch(`http://${host}${path}`, { headers: { Authorization: auth } });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const stop = async () => {
    process.off('exit', onExit);
    if (proc.exitCode === null) proc.kill('SIGTERM');
    await Promise.race([exited, sleep(5000)]);
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) break;
    if ((await get('/v2/').catch(() => ({ status: 0 }))).status === 200) return { host, username, password, pid: proc.pid!, get, stop };
    await sleep(100);
  }
  const tail = readFileSync(log, 'utf8').slice(-2000);
  await stop();
  throw new Error(`docker-registry did not answer on ${host} (install the docker-registry and apache2-utils packages)\n${tail}`);
}
