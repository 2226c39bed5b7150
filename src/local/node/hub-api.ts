// The three requests a GridNode makes (register, heartbeat, task poll), with a timeout on
// each. Replies are read, and failures turned into HubError, by the editor's hub client's
// rules (core/hub-client.ts: size cap, codes, hub text shortened and without the token); only
// the advice differs, because a node's token and URL live in gridnode.toml.
import { BodyTooLarge, hubStatusCode, MAX_HUB_BODY_BYTES, readCapped, shownHubText, transportFailure } from '../../core/hub-client';
import { HubError } from '../../core/errors';
import { l10n } from '../../core/l10n';
import { maskUrl } from '../../core/redact';
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
  const url = maskUrl(base);

  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const what = `${method} ${path.split('?')[0]}`;
    let res: Response;
    let text: string;
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
      // Node's fetch body is an async-iterable web stream (the DOM typings, where they apply, omit that).
      text = res.body ? await readCapped(res.body as unknown as Parameters<typeof readCapped>[0], MAX_HUB_BODY_BYTES) : '';
    } catch (e) {
      if (e instanceof BodyTooLarge) {
        throw new HubError('protocol', l10n.t('The ComputeHub at {url} sent a reply larger than {mb} MB for {path}: check that server_url points at a ComputeHub.', { url, mb: MAX_HUB_BODY_BYTES / 1024 / 1024, path: what }));
      }
      const failure = transportFailure(e);
      throw failure.code === 'timeout'
        ? new HubError('timeout', l10n.t('The ComputeHub at {url} did not answer within {seconds} s. Check that it is running.', { url, seconds: Math.round(timeoutMs / 1000) }), undefined, { cause: e })
        : new HubError('unreachable', l10n.t('Cannot reach the ComputeHub at {url} ({reason}). Check that it is running and that server_url is right.', { url, reason: shownHubText(failure.reason, [token]) }), undefined, { cause: e });
    }
    if (res.status < 200 || res.status >= 300) {
      const code = hubStatusCode(res.status);
      if (code === 'unauthorized') throw new HubError('unauthorized', l10n.t('The ComputeHub at {url} rejected the token. Use the token from its computehub.toml.', { url }), 401);
      throw new HubError(code, l10n.t('The ComputeHub at {url} answered {status}: {text}', { url, status: res.status, text: shownHubText(text, [token]) || l10n.t('(empty reply)') }), res.status);
    }
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new HubError('protocol', l10n.t('The ComputeHub at {url} sent a body that is not JSON for {path}.', { url, path }), res.status, { cause: e });
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
