// The hub client against our own hub (the contract's behaviour) and against hostile servers.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HubError } from '../../src/core/errors';
import { createHubClient, HubPools, MAX_HUB_BODY_BYTES } from '../../src/core/hub-client';
import { silentLogger } from '../../src/core/ports';
import { startHub } from '../../src/local/hub/server';
import { freePort } from '../support/redis';

const TOKEN = 'test-token-123';
const pools = new HubPools();
after(() => pools.close());

const client = (url: string, token = TOKEN, timeoutMs = 5_000) =>
  createHubClient({ cluster: 'lab', computehubUrl: url, token, pools, timeoutMs: () => timeoutMs, logger: silentLogger });

const hubError = (code: string, pattern?: RegExp) => (e: unknown) => {
  assert.ok(e instanceof HubError, String(e));
  assert.equal(e.code, code, e.message);
  if (pattern) assert.match(e.message, pattern);
  return true;
};

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string; connections: () => number }> {
  const server = createServer(handler);
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections };
}
const stop = (server: Server) =>
  new Promise<void>((r) => {
    server.close(() => r());
    server.closeAllConnections();
  });

test('our hub: tasks, finish, nodes and the current task config, empty 201 included', async () => {
  const hub = await startHub({ port: 0, token: TOKEN });
  try {
    const c = client(hub.url);
    await c.health();
    assert.deepEqual(await c.listTasks(), { current: null, pending: [], completed: [] });
    await c.registerTask({ name: 'sqrt', image: 'sqrt:1', input_redis: 'redis://:pw@r:6379', output_redis: 'redis://:pw@r:6379', input_queue: 'in', output_queue: 'out' });
    await c.registerTask({ name: 'cube', images: { 'linux/arm64': 'cube:arm' } });
    assert.deepEqual(await c.listTasks(), { current: 'sqrt', pending: ['cube'], completed: [] });
    assert.deepEqual(await c.currentTaskConfig(), {
      task_name: 'sqrt',
      image: 'sqrt:1',
      redis_url: null,
      input_redis: 'redis://:pw@r:6379',
      output_redis: 'redis://:pw@r:6379',
      input_queue: 'in',
      output_queue: 'out',
    });
    const f = await c.finish();
    assert.equal(f.completed, 'sqrt');
    assert.equal(f.started, 'cube');
    assert.equal(await c.currentTaskConfig('linux/amd64'), null);
    assert.equal((await c.currentTaskConfig('linux/arm64'))?.image, 'cube:arm');
    await assert.rejects(c.next(), hubError('rejected', /No more tasks available/));

    const reg = await fetch(`${hub.url}/gridnode/register`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ hostname: 'box', architecture: 'x86_64', cpu_count: 4 }),
    });
    const { node_id } = (await reg.json()) as { node_id: string };
    const nodes = await c.listNodes();
    assert.equal(nodes.length, 1);
    assert.equal(nodes[0].id, node_id);
    assert.equal(nodes[0].runtime_status, null);
    await c.stopNode(node_id);
    await assert.rejects(c.stopNode('ghost'), hubError('rejected', /Node ghost not found/));
  } finally {
    await hub.close();
  }
});

test('our hub: finish before any task shows the hub\'s own text', async () => {
  const hub = await startHub({ port: 0, token: TOKEN });
  try {
    await assert.rejects(client(hub.url).finish(), hubError('rejected', /No current task running/));
  } finally {
    await hub.close();
  }
});

test('wrong token: 401 becomes "token rejected for cluster lab"; /health still answers', async () => {
  const hub = await startHub({ port: 0, token: TOKEN });
  try {
    const c = client(hub.url, 'wrong-token');
    await c.health();
    await assert.rejects(c.listTasks(), (e: unknown) => {
      hubError('unauthorized', /"lab".*token/)(e);
      assert.equal((e as HubError).status, 401);
      assert.doesNotMatch((e as Error).message, /wrong-token/);
      return true;
    });
  } finally {
    await hub.close();
  }
});

test('hub down (closed port): unreachable, names cluster and masked URL', async () => {
  const port = await freePort();
  const c = client(`http://admin:hunter2@127.0.0.1:${port}`);
  await assert.rejects(c.health(), (e: unknown) => {
    hubError('unreachable', /Cannot reach the ComputeHub of cluster "lab"/)(e);
    assert.match((e as Error).message, /refused/);
    assert.match((e as Error).message, /Check that the hub is running/);
    assert.doesNotMatch((e as Error).message, /hunter2/);
    return true;
  });
});

test('unknown host: unreachable', async () => {
  await assert.rejects(client('http://no-such-host.invalid:8080').health(), hubError('unreachable', /not found/));
});

test('a hub that never answers times out after the setting', async () => {
  const { server, url } = await listen(() => undefined);
  try {
    await assert.rejects(client(url, TOKEN, 300).listTasks(), hubError('timeout', /did not answer GET \/api\/tasks within 0.3 s/));
  } finally {
    await stop(server);
  }
});

test('hostile bodies become protocol errors; bodies are consumed so connections are reused', async () => {
  const huge = Buffer.alloc(MAX_HUB_BODY_BYTES + 1024, 'a');
  const { server, url, connections } = await listen((req, res) => {
    const reply = (status: number, body: string | Buffer = '', type?: string) => {
      if (type) res.setHeader('content-type', type);
      res.writeHead(status);
      res.end(body);
    };
    req.resume();
    switch (`${req.method} ${req.url}`) {
      case 'GET /health':
        return reply(200, 'OK');
      case 'GET /api/tasks':
        return reply(200, '<html>proxy login</html>', 'text/html');
      case 'GET /api/nodes':
        return reply(200, JSON.stringify([{ id: 1, hostname: 'h' }]), 'application/json');
      case 'POST /api/tasks/finish':
        return reply(200, JSON.stringify({ completed: 'a', started: 7, message: 'x' }), 'application/json');
      case 'POST /api/tasks/next':
        return reply(200, huge, 'application/json');
      case 'POST /api/tasks':
        return reply(201);
      case 'POST /api/nodes/n1/stop':
        return reply(200);
      case 'POST /api/nodes/n2/stop':
        return reply(503, `upstream down, token was ${TOKEN}`, 'text/plain');
      case 'GET /gridnode/task?platform=linux%2Famd64':
        return reply(200, 'null', 'application/json');
      default:
        return reply(404);
    }
  });
  try {
    const c = client(url);
    await c.health();
    await assert.rejects(c.listTasks(), hubError('protocol', /not JSON/));
    await assert.rejects(c.listNodes(), hubError('protocol', /not a node list/));
    await assert.rejects(c.finish(), hubError('protocol'));
    await c.registerTask({ name: 'x', image: 'y' });
    await c.stopNode('n1');
    assert.equal(await c.currentTaskConfig(), null);
    await assert.rejects(c.stopNode('n2'), (e: unknown) => {
      hubError('server', /503/)(e);
      assert.doesNotMatch((e as Error).message, new RegExp(TOKEN));
      return true;
    });
    await assert.rejects(c.stopNode('zz'), hubError('rejected', /does not know/));
    for (let i = 0; i < 8; i++) await assert.rejects(c.listTasks());
    // An unread body would pin its connection: a dozen failures would need a dozen sockets.
    // (undici may open a second one while the first is being released.)
    assert.ok(connections() <= 2, `keep-alive: ${connections()} connections for 17 requests`);
    await assert.rejects(c.next(), hubError('protocol', /larger than 4 MB/));
  } finally {
    await stop(server);
  }
});

test('health that is not "OK" is not a ComputeHub', async () => {
  const { server, url } = await listen((_req, res) => res.end('<html>nginx</html>'));
  try {
    await assert.rejects(client(url).health(), hubError('protocol', /not a ComputeHub reply/));
  } finally {
    await stop(server);
  }
});

test('a hub under a path prefix is reached through it; a non-http URL is a ConfigError', async () => {
  const seen: string[] = [];
  const { server, url } = await listen((req, res) => {
    seen.push(req.url ?? '');
    res.end('OK');
  });
  try {
    await client(`${url}/gridcore/`).health();
    assert.deepEqual(seen, ['/gridcore/health']);
    assert.throws(() => client('ftp://x'), (e: Error) => e.name === 'ConfigError');
  } finally {
    await stop(server);
  }
});
