// Which process listens on a TCP port, so that "port 8080 is taken" can say by whom. Linux:
// the listening socket's inode from /proc/net/tcp{,6}, then the process holding that inode
// among /proc/*/fd (only our own user's processes are readable unless we are root); `ss -ltnp`
// when /proc does not tell. Undefined when nothing says.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface PortHolder {
  pid?: number;
  /** the command line's first two words, e.g. `node /usr/bin/http-server` */
  command?: string;
}

const LISTEN = '0A';

function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      if (f[1].endsWith(`:${hex}`) && f[3] === LISTEN && f[9] !== '0') inodes.add(f[9]);
    }
  }
  return inodes;
}

function commandOf(pid: number): string | undefined {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    // two words name it (node + its script) without repeating arguments that may hold secrets
    return args.slice(0, 2).join(' ') || undefined;
  } catch {
    return undefined;
  }
}

function fromProc(port: number): PortHolder | undefined {
  const inodes = listeningInodes(port);
  if (!inodes.size) return undefined;
  const wanted = new Set([...inodes].map((i) => `socket:[${i}]`));
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return {};
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (wanted.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return { pid: Number(pid), command: commandOf(Number(pid)) };
      } catch {
        // closed meanwhile
      }
    }
  }
  // Listening, but by a process we may not look into (another user's).
  return {};
}

function fromSs(port: number): PortHolder | undefined {
  try {
    const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] });
    const m = /pid=(\d+)/.exec(out);
    if (m) return { pid: Number(m[1]), command: commandOf(Number(m[1])) };
    return out.trim() ? {} : undefined;
  } catch {
    return undefined;
  }
}

export function portHolder(port: number): PortHolder | undefined {
  const found = fromProc(port);
  if (found?.pid) return found;
  return fromSs(port) ?? found;
}

/** "process 1234 (node server.js)", "another user's process", or "a process this user cannot see". */
export function describeHolder(h: PortHolder | undefined): string {
  if (h?.pid) return h.command ? `process ${h.pid} (${h.command})` : `process ${h.pid}`;
  if (h) return 'a process of another user';
  return 'an unknown process';
}
