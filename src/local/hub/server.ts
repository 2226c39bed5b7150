// Our own ComputeHub: the upstream contract (../../../shared/computehub-api.md) on node:http.
// All state is in memory, as upstream: a restart forgets tasks and nodes.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../core/ports';
import { silentLogger } from '../../core/ports';
import { l10n } from '../../core/l10n';
import { canonicalHeartbeatBody, routes, STOP_FALSE, STOP_TRUE } from './handlers';
import { Router, send } from './http';
import { NodeRegistry } from './nodes';
import { TaskList } from './tasks';
import type { RegisterTaskRequest } from '../../core/types';

export interface HubOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  token: string;
  /** Silence after which a node is dropped (upstream: 60 s). */
  nodeTimeoutMs?: number;
  /** How often silent nodes are swept (upstream: 30 s). */
  sweepIntervalMs?: number;
  logger?: Logger;
  /** after a register, finish or next: the tasks not completed yet, current first (the local
   *  cluster keeps them, to register them again when its Redis had to move) */
  onTasksChanged?(unfinished: RegisterTaskRequest[]): void;
}

export interface RunningHub {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startHub(opts: HubOptions): Promise<RunningHub> {
  const logger = opts.logger ?? silentLogger;
  const host = opts.host ?? '127.0.0.1';
  const nodeTimeoutMs = opts.nodeTimeoutMs ?? 60_000;
  const tasks = new TaskList();
  const nodes = new NodeRegistry();
  const router = new Router(routes({ tasks, nodes, logger }), opts.token);

  const dispatch = (req: IncomingMessage, res: ServerResponse, preread?: Buffer) => {
    const changes = opts.onTasksChanged && req.method === 'POST' && req.url?.startsWith('/api/tasks');
    const before = changes ? tasks.size + ':' + JSON.stringify(tasks.list()) : '';
    router.handle(req, res, preread).then(() => {
      if (changes && before !== tasks.size + ':' + JSON.stringify(tasks.list())) opts.onTasksChanged!(tasks.unfinished());
    }, (err: unknown) => {
      logger.error(err instanceof Error ? err : String(err));
      if (!res.headersSent) send(res, { status: 500 });
      else res.destroy();
    });
  };

  // Every node sends a heartbeat every few seconds: the one request worth a path of its own.
  // Read and answered in the request's own callbacks, without the router's promises and
  // context (what a bare node:http server does); any body but the exact one a GridNode sends,
  // and any request the router would answer otherwise, goes through the router.
  const heartbeat = (req: IncomingMessage, res: ServerResponse) => {
    if (!(Number(req.headers['content-length']) <= 512)) return dispatch(req, res);
    let body: Buffer | undefined;
    req.on('data', (c: Buffer) => (body = body ? Buffer.concat([body, c]) : c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const bytes = body ?? Buffer.alloc(0);
      const beat = canonicalHeartbeatBody(req.headers['content-type'], bytes);
      if (!beat) return dispatch(req, res, bytes);
      send(res, { status: 200, json: nodes.heartbeat(beat) ? STOP_TRUE : STOP_FALSE });
    });
  };

  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/gridnode/heartbeat' && router.authorized(req)) heartbeat(req, res);
    else dispatch(req, res);
  });
  // Nodes and clients keep connections open between polls; do not cut them at node's 5 s default.
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const sweep = setInterval(() => {
    const dropped = nodes.sweep(nodeTimeoutMs);
    if (dropped) logger.info(l10n.t('Dropped {count} silent nodes', { count: dropped }));
  }, opts.sweepIntervalMs ?? 30_000);
  sweep.unref();

  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(sweep);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
