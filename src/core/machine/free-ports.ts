// Port checks for the local cluster: use the default when free, else any free port.
import { createServer } from 'node:net';

export function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

export async function anyFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** `preferred` when nothing listens there (on loopback nor on all interfaces), else a free one. */
export async function pickPort(preferred: number, avoid: number[] = []): Promise<{ port: number; moved: boolean }> {
  if (!avoid.includes(preferred) && (await portFree(preferred, '127.0.0.1')) && (await portFree(preferred, '0.0.0.0'))) {
    return { port: preferred, moved: false };
  }
  for (;;) {
    const port = await anyFreePort();
    if (!avoid.includes(port)) return { port, moved: true };
  }
}
