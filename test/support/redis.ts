// A real redis-server per test file, on a free port, optionally with a password.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface TestRedis {
  port: number;
  password?: string;
  /** Full URL with the password, as a user would give it. */
  url: string;
  /** Kill the process (SIGKILL: the honest "Redis went away"). */
  kill(): Promise<void>;
  /** Start again on the same port and password (data is lost: no persistence). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function waitForPort(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`redis-server did not listen on ${port}`);
}

/** `aofDir`: persist to an append-only file there, fsynced before each reply (appendfsync
 *  always), so a SIGKILL loses no acknowledged write and a restart brings the data back. */
export async function startRedis(opts: { password?: string; port?: number; aofDir?: string; bind?: string } = {}): Promise<TestRedis> {
  const port = opts.port ?? (await freePort());
  let proc: ChildProcess | undefined;
  const launch = async () => {
    const persistence = opts.aofDir ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', opts.aofDir] : ['--appendonly', 'no'];
    const args = ['--port', String(port), '--bind', opts.bind ?? '127.0.0.1', '--save', '', ...persistence, '--daemonize', 'no'];
    if (opts.password) args.push('--requirepass', opts.password);
    proc = spawn('redis-server', args, { stdio: 'ignore' });
    proc.unref();
    await waitForPort(port);
  };
  const kill = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    // The process is unref'd; without this, a test with nothing else pending ends before 'exit'.
    p.ref();
    p.kill('SIGKILL');
    await exited;
  };
  await launch();
  const auth = opts.password ? `:${encodeURIComponent(opts.password)}@` : '';
  return {
    port,
    password: opts.password,
    url: `redis://${auth}127.0.0.1:${port}`,
    kill,
    restart: async () => {
      await kill();
      await launch();
    },
    stop: kill,
  };
}
