// Runs one container to the end and returns its exit code and demuxed output; always removes it.
import type Dockerode from 'dockerode';

export interface ContainerRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function runContainer(docker: Dockerode, spec: Dockerode.ContainerCreateOptions, opts: { timeoutMs?: number } = {}): Promise<ContainerRun> {
  const c = await docker.createContainer(spec);
  try {
    await c.start();
    const timer = setTimeout(() => void c.kill().catch(() => {}), opts.timeoutMs ?? 60_000);
    const { StatusCode } = (await c.wait().finally(() => clearTimeout(timer))) as { StatusCode: number };
    const raw = (await c.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    return { exitCode: StatusCode, ...demux(raw) };
  } finally {
    await c.remove({ force: true }).catch(() => {});
  }
}

/** Docker's multiplexed log format: 8-byte header (stream, 0,0,0, size BE32) + payload. */
export function demux(buf: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const size = buf.readUInt32BE(i + 4);
    (buf[i] === 2 ? err : out).push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}
