// Consumers run on this host the way a node runs them in containers: the shell template under
// busybox (its applets first on PATH, as in gridcore/busybox-redis), the Python template on
// Debian's python3 with python3-redis (no Python image can be pulled here). Each runs in its
// own process group, so a kill takes its work children with it as `docker kill` would; a
// supervisor starts a dead one again, as our node restarts a container.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const HOST_PYTHON = '/usr/bin/python3';
const APPLETS = ['sh', 'awk', 'timeout', 'head', 'tail', 'wc', 'base64', 'cut', 'date', 'sed', 'tr', 'od', 'mktemp', 'sleep', 'cat', 'rm', 'mkdir', 'kill', 'env'];

/** A folder of busybox applets plus redis-cli, to put first on PATH. */
export function busyboxBin(dir: string): string {
  const bin = join(dir, 'busybox-bin');
  mkdirSync(bin, { recursive: true });
  for (const a of APPLETS) if (!existsSync(join(bin, a))) symlinkSync('/usr/bin/busybox', join(bin, a));
  if (!existsSync(join(bin, 'redis-cli'))) symlinkSync('/usr/bin/redis-cli', join(bin, 'redis-cli'));
  return bin;
}

export interface ConsumerSpec {
  kind: 'shell' | 'python';
  /** the script's text (a template, or a test variant of one) */
  script: string;
  env: Record<string, string>;
  /** scratch folder (scripts, logs, busybox applets) */
  dir: string;
}

/** One consumer (an "instance"), restarted when it dies until stop(). */
export class SupervisedConsumer {
  private proc?: ChildProcess;
  private stopping = false;
  private exited?: Promise<void>;
  /** how many times it died and was started again */
  restarts = 0;
  log = '';

  constructor(private readonly spec: ConsumerSpec) {}

  start(): this {
    const { kind, script, env, dir } = this.spec;
    const file = join(dir, `consumer-${env.NODE_ID}-${env.INSTANCE_ID}.${kind === 'shell' ? 'sh' : 'py'}`.replace(/[^\w.-]/g, '_'));
    writeFileSync(file, script);
    const path = kind === 'shell' ? `${busyboxBin(dir)}:${process.env.PATH}` : process.env.PATH ?? '';
    const [cmd, args] = kind === 'shell' ? ['/usr/bin/busybox', ['sh', file]] : [HOST_PYTHON, [file]];
    const p = spawn(cmd, args, { env: { ...process.env, ...env, PATH: path, PYTHONUNBUFFERED: '1' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = p;
    const keep = (b: Buffer) => {
      this.log = (this.log + b.toString()).slice(-20_000);
    };
    p.stdout?.on('data', keep);
    p.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      p.once('exit', (code, signal) => {
        this.log += `\n[exited: ${code ?? signal}]\n`;
        if (!this.stopping) {
          this.restarts++;
          setTimeout(() => {
            if (!this.stopping) this.start();
          }, 200);
        }
        resolve();
      });
    });
    return this;
  }

  get pid(): number | undefined {
    return this.proc?.exitCode === null ? this.proc.pid : undefined;
  }

  /** SIGKILL to the whole process group (the consumer and its work), as `docker kill`. */
  kill(): boolean {
    const pid = this.pid;
    if (!pid) return false;
    try {
      process.kill(-pid, 'SIGKILL');
      return true;
    } catch {
      return false;
    }
  }

  /** SIGTERM (as `docker stop`), then SIGKILL after `graceMs`; no restart after. */
  async stop(graceMs = 20_000): Promise<void> {
    this.stopping = true;
    const pid = this.pid;
    if (pid) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* gone already */
      }
      const t = setTimeout(() => this.kill(), graceMs);
      await this.exited;
      clearTimeout(t);
    }
    // Work children left behind by a SIGTERMed consumer (none expected) go too.
    if (pid) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* none */
      }
    }
  }
}
