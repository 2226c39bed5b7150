// Child processes of the local cluster must not outlive the process that started them, even
// when it dies by SIGKILL (no exit handler runs then). Each one is started through a tiny
// watchdog: a Node process that runs the real command, forwards SIGTERM, and ends it when
// its own parent goes away. In the VS Code extension host `process.execPath` is Electron,
// which ELECTRON_RUN_AS_NODE turns into plain Node.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Logger } from '../ports';

const WATCHDOG = `
const { spawn } = require('child_process');
const [cmd, ...args] = process.argv.slice(1);
const parent = Number(process.env.GRIDCORE_WATCH_PARENT);
const firstPpid = process.ppid;
const grace = Number(process.env.GRIDCORE_WATCH_GRACE) || 5000;
const keepNode = process.env.GRIDCORE_WATCH_NODE === '1';
delete process.env.GRIDCORE_WATCH_PARENT;
delete process.env.GRIDCORE_WATCH_GRACE;
delete process.env.GRIDCORE_WATCH_NODE;
if (!keepNode) delete process.env.ELECTRON_RUN_AS_NODE;
const child = spawn(cmd, args, { stdio: 'inherit' });
let ending = false;
function end() {
  if (ending) return;
  ending = true;
  try { child.kill('SIGTERM'); } catch {}
  setTimeout(() => { try { child.kill('SIGKILL'); } catch {} process.exit(1); }, grace).unref();
}
for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(s, end);
child.on('error', (e) => { console.error('Error: ' + e.message); process.exit(127); });
child.on('exit', (code, sig) => process.exit(code === null ? 1 : code));
setInterval(() => {
  let gone = process.ppid !== firstPpid;
  try { process.kill(parent, 0); } catch { gone = true; }
  if (gone) end();
}, 1000);
`;

export interface WatchedProcess {
  readonly proc: ChildProcess;
  readonly pid: number;
  /** resolves with the exit code once the command (and its watchdog) ended */
  readonly exited: Promise<number | null>;
  /** last lines of stderr (secrets are the caller's to redact) */
  stderrTail(): string;
  /** pid of the command itself (the watchdog's child), while it runs; Linux only. A fault test
   *  SIGKILLs this one: killing the watchdog would leave the command running. */
  commandPid(): number | undefined;
  /** SIGTERM, SIGKILL after `graceMs` */
  stop(graceMs?: number): Promise<void>;
}

export function spawnWatched(
  command: string,
  args: string[],
  opts: {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    logger?: Logger;
    redact?: (s: string) => string;
    /** how long the command may take to end after SIGTERM before the watchdog kills it (default 5 s);
     *  a node stopping its containers needs its stop_timeout */
    graceMs?: number;
    /** the command is this Node (or Electron) running a script: it keeps ELECTRON_RUN_AS_NODE */
    nodeScript?: boolean;
    /** the command watches GRIDCORE_WATCH_PARENT itself (our dist/gridnode.js): started without
     *  a watchdog in between, one Node start less on the way to a registered node */
    selfWatching?: boolean;
  } = {},
): WatchedProcess {
  const direct = !!opts.selfWatching;
  const proc = spawn(direct ? command : process.execPath, direct ? args : ['-e', WATCHDOG, command, ...args], {
    cwd: opts.cwd,
    env: {
      ...process.env,
      ...opts.env,
      ELECTRON_RUN_AS_NODE: '1',
      GRIDCORE_WATCH_PARENT: String(process.pid),
      GRIDCORE_WATCH_GRACE: String(opts.graceMs ?? 5000),
      ...(opts.nodeScript ? { GRIDCORE_WATCH_NODE: '1' } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const clean = opts.redact ?? ((s: string) => s);
  const tail: string[] = [];
  createInterface({ input: proc.stdout! }).on('line', (l) => opts.logger?.info(clean(l)));
  createInterface({ input: proc.stderr! }).on('line', (l) => {
    tail.push(clean(l));
    if (tail.length > 30) tail.shift();
    opts.logger?.warn(clean(l));
  });
  const exited = new Promise<number | null>((resolve) => {
    // A command started without a watchdog and killed by a signal ends as the watchdog reports it: code 1.
    proc.once('exit', (code, signal) => resolve(code ?? (direct && signal ? 1 : code)));
    proc.once('error', () => resolve(null));
  });
  return {
    proc,
    pid: proc.pid ?? -1,
    exited,
    stderrTail: () => tail.join('\n'),
    commandPid: () => {
      if (direct) return proc.exitCode === null && proc.signalCode === null ? proc.pid : undefined;
      try {
        const pid = Number(readFileSync(`/proc/${proc.pid}/task/${proc.pid}/children`, 'utf8').trim().split(/\s+/)[0]);
        return pid > 0 ? pid : undefined;
      } catch {
        return undefined;
      }
    },
    async stop(graceMs = 5000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}
