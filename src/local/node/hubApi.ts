// The three requests a GridNode makes (register, heartbeat, task poll), with a timeout on
// each. Failures become HubError so the node and its caller can tell "unreachable" from
// "token rejected".
import { HubError } from '../../core/errors';
import { l10n } from '../../core/l10n';
import type {
  HeartbeatRequest,
  HeartbeatResponse,
  NodeRegisterRequest,
  NodeRegisterResponse,
  Platform,
  TaskConfig,
} from '../../core/types';

export interface NodeHubApi {
  register(req: NodeRegisterRequest): Promise<NodeRegisterResponse>;
  heartbeat(req: HeartbeatRequest): Promise<HeartbeatResponse>;
  task(platform: Platform): Promise<TaskConfig | null>;
}

export function createNodeHubApi(serverUrl: string, token: string, timeoutMs = 10_000): NodeHubApi {
  const base = serverUrl.replace(/\/+$/, '');

  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(base + path, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
      throw timedOut
        ? new HubError('timeout', l10n.t('The ComputeHub at {url} did not answer within {seconds} s. Check that it is running.', { url: base, seconds: Math.round(timeoutMs / 1000) }), undefined, { cause: e })
        : new HubError('unreachable', l10n.t('Cannot reach the ComputeHub at {url}. Check that it is running and that server_url is right.', { url: base }), undefined, { cause: e });
    }
    const text = await res.text();
    if (res.status === 401) {
      throw new HubError('unauthorized', l10n.t('The ComputeHub at {url} rejected the token. Use the token from its computehub.toml.', { url: base }), 401);
    }
    if (res.status >= 500) {
      throw new HubError('server', l10n.t('The ComputeHub at {url} answered {status}: {text}', { url: base, status: res.status, text }), res.status);
    }
    if (res.status !== 200) {
      throw new HubError('rejected', l10n.t('The ComputeHub at {url} answered {status}: {text}', { url: base, status: res.status, text }), res.status);
    }
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new HubError('protocol', l10n.t('The ComputeHub at {url} sent a body that is not JSON for {path}.', { url: base, path }), res.status, { cause: e });
    }
  }

  return {
    register: (req) => call<NodeRegisterResponse>('POST', '/gridnode/register', req),
    heartbeat: (req) => call<HeartbeatResponse>('POST', '/gridnode/heartbeat', req),
    task: (platform) => call<TaskConfig | null>('GET', `/gridnode/task?platform=${encodeURIComponent(platform)}`),
  };
}

/** This machine's platform as the hub's `images` map names it. */
export function hostPlatform(arch: string = process.arch): Platform {
  if (arch === 'arm64') return 'linux/arm64';
  if (arch === 'arm') return 'linux/arm/v7';
  return 'linux/amd64';
}

/** Architecture as upstream reports it (Rust's std::env::consts::ARCH). */
export function hostArchitecture(arch: string = process.arch): string {
  return ({ x64: 'x86_64', arm64: 'aarch64', arm: 'arm', ia32: 'x86' } as Record<string, string>)[arch] ?? arch;
}
