// ComputeHub REST client over undici. One keep-alive Pool per hub origin (HubPools), a
// timeout on every request, every body read or released, and each failure turned into a
// HubError whose message names the cluster and says what to check. The rules for reading a
// reply (size cap, which status or socket error is which HubError code, hub text shortened
// and without the token) are exported: our GridNode's client (local/node/hub-api.ts) uses them too.
import type { Dispatcher, Pool } from 'undici';
import { ConfigError, HubError, type HubErrorCode } from './errors';
import { l10n } from './l10n';
import { maskUrl, redact } from './redact';
import type { Logger } from './ports';
import type { HubClient } from './service-api';
import type { FinishResult, HubNode, HubTaskList, NextResult, Platform, RegisterTaskRequest, TaskConfig } from './types';
import { isFinishResult, isHubNodeList, isHubTaskList, isNextResult, isTaskConfigOrNull } from './hub-shapes';

/** A hub reply larger than this is not a ComputeHub reply (the node list of a big cluster is well under it). */
export const MAX_HUB_BODY_BYTES = 4 * 1024 * 1024;
/** Hub error texts are shown to the user; a few hundred characters is all they ever need. */
const MAX_SHOWN_TEXT = 500;

/** Keep-alive pools shared by every client of the same hub origin. */
export class HubPools {
  private readonly pools = new Map<string, { pool: Pool; connectTimeoutMs: number }>();

  async get(origin: string, connectTimeoutMs: number): Promise<Pool> {
    const known = this.pools.get(origin);
    if (known && known.connectTimeoutMs === connectTimeoutMs) return known.pool;
    // Loaded on the first request, not at activation: undici is the largest part of the
    // client, and the build puts it in a bundle of its own (esbuild.mjs).
    const { Pool } = await import('undici');
    // Checked again: a concurrent first request may have made the pool while undici loaded.
    const raced = this.pools.get(origin);
    if (raced && raced.connectTimeoutMs === connectTimeoutMs) return raced.pool;
    // The connect timeout is fixed per pool: a changed setting needs a new pool.
    if (raced) void raced.pool.close().catch(() => undefined);
    const pool = new Pool(origin, {
      connections: 4,
      keepAliveTimeout: 10_000,
      connect: { timeout: connectTimeoutMs },
    });
    this.pools.set(origin, { pool, connectTimeoutMs });
    return pool;
  }

  async close(): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(all.map(({ pool }) => pool.destroy().catch(() => undefined)));
  }
}

export interface HubClientOptions {
  cluster: string;
  computehubUrl: string;
  token: string;
  pools: HubPools;
  /** Read on every request so a changed setting applies at once. */
  timeoutMs: () => number;
  logger: Logger;
}

interface HubReply {
  status: number;
  text: string;
}

export function createHubClient(opts: HubClientOptions): HubClient {
  return new UndiciHubClient(opts);
}

class UndiciHubClient implements HubClient {
  readonly cluster: string;
  private readonly origin: string;
  private readonly prefix: string;
  private readonly shownUrl: string;

  constructor(private readonly opts: HubClientOptions) {
    this.cluster = opts.cluster;
    let url: URL;
    try {
      url = new URL(opts.computehubUrl);
    } catch {
      url = new URL('invalid:');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ConfigError(
        'badUrl',
        l10n.t('The ComputeHub URL of cluster "{cluster}" is not an http(s) URL: {url}. Edit the cluster and give a URL like http://host:8080.', {
          cluster: opts.cluster,
          url: maskUrl(opts.computehubUrl),
        }),
      );
    }
    this.origin = url.origin;
    // A hub behind a reverse proxy may live under a path.
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.shownUrl = maskUrl(`${url.origin}${this.prefix}`);
  }

  async health(): Promise<void> {
    const reply = await this.call('GET', '/health', { auth: false });
    if (reply.text.trim() !== 'OK') throw this.protocolError('GET /health', l10n.t('expected "OK"'));
  }

  async listTasks(): Promise<HubTaskList> {
    const value = await this.json('GET', '/api/tasks');
    if (!isHubTaskList(value)) throw this.protocolError('GET /api/tasks', l10n.t('not a task list'));
    return value;
  }

  async registerTask(req: RegisterTaskRequest): Promise<void> {
    // 201 with an empty body: nothing to parse.
    await this.call('POST', '/api/tasks', { body: JSON.stringify(req) });
  }

  async finish(): Promise<FinishResult> {
    const value = await this.json('POST', '/api/tasks/finish');
    if (!isFinishResult(value)) throw this.protocolError('POST /api/tasks/finish', l10n.t('not a finish result'));
    return value;
  }

  async next(): Promise<NextResult> {
    const value = await this.json('POST', '/api/tasks/next');
    if (!isNextResult(value)) throw this.protocolError('POST /api/tasks/next', l10n.t('not a next result'));
    return value;
  }

  async listNodes(): Promise<HubNode[]> {
    const value = await this.json('GET', '/api/nodes');
    if (!isHubNodeList(value)) throw this.protocolError('GET /api/nodes', l10n.t('not a node list'));
    return value;
  }

  async stopNode(id: string): Promise<void> {
    await this.call('POST', `/api/nodes/${encodeURIComponent(id)}/stop`);
  }

  async currentTaskConfig(platform: Platform = 'linux/amd64'): Promise<TaskConfig | null> {
    const path = `/gridnode/task?platform=${encodeURIComponent(platform)}`;
    const value = await this.json('GET', path);
    if (!isTaskConfigOrNull(value)) throw this.protocolError('GET /gridnode/task', l10n.t('not a task config'));
    if (value === null) return null;
    // Optional fields may be absent rather than null; the contract's shape has them all.
    return {
      task_name: value.task_name,
      image: value.image,
      redis_url: value.redis_url ?? null,
      input_redis: value.input_redis ?? null,
      output_redis: value.output_redis ?? null,
      input_queue: value.input_queue ?? null,
      output_queue: value.output_queue ?? null,
    };
  }

  private async json(method: 'GET' | 'POST', path: string): Promise<unknown> {
    const reply = await this.call(method, path);
    try {
      return JSON.parse(reply.text) as unknown;
    } catch {
      throw this.protocolError(`${method} ${path.split('?')[0]}`, l10n.t('not JSON'));
    }
  }

  private async call(method: 'GET' | 'POST', path: string, o: { auth?: boolean; body?: string } = {}): Promise<HubReply> {
    const timeout = Math.max(1, this.opts.timeoutMs());
    const headers: Record<string, string> = {};
    if (o.auth !== false) headers.authorization = `Bearer ${this.opts.token}`;
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    const what = `${method} ${path.split('?')[0]}`;
    const started = Date.now();
    const send = async () =>
      (await this.opts.pools.get(this.origin, timeout)).request({
        method,
        path: this.prefix + path,
        headers,
        body: o.body,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
    let res: Dispatcher.ResponseData;
    try {
      res = await send().catch((e: unknown) => {
        // A kept-alive socket the hub closed (e.g. it restarted) fails at once; a GET is safe
        // to send again. POSTs are not: a repeated finish would complete two tasks.
        if (method === 'GET' && STALE_SOCKET.has(errorCode(e) ?? '')) return send();
        throw e;
      });
    } catch (e) {
      throw this.transportError(e, what, timeout);
    }
    let text: string;
    try {
      text = await readCapped(res.body, MAX_HUB_BODY_BYTES);
    } catch (e) {
      if (e instanceof BodyTooLarge) throw this.protocolError(what, l10n.t('reply larger than {mb} MB', { mb: MAX_HUB_BODY_BYTES / 1024 / 1024 }));
      throw this.transportError(e, what, timeout);
    }
    this.opts.logger.trace(`hub ${this.cluster}: ${what} -> ${res.statusCode} (${Date.now() - started} ms)`);
    if (res.statusCode >= 200 && res.statusCode < 300) return { status: res.statusCode, text };
    throw this.statusError(res.statusCode, text, what);
  }

  private statusError(status: number, body: string, what: string): HubError {
    const cluster = this.cluster;
    const hubText = this.shownText(body) || l10n.t('(empty reply)');
    const code = hubStatusCode(status);
    if (code === 'unauthorized') {
      return new HubError(
        'unauthorized',
        l10n.t('The ComputeHub of cluster "{cluster}" rejected the token (401): check the token in the cluster\'s profile or in credentials.toml; it must match the token in computehub.toml.', { cluster }),
        status,
      );
    }
    if (code === 'server') {
      return new HubError(
        'server',
        l10n.t('The ComputeHub of cluster "{cluster}" failed on {request} with HTTP {status}: {text}. Check the hub\'s log.', { cluster, request: what, status, text: hubText }),
        status,
      );
    }
    if (status === 404 && !body.trim()) {
      return new HubError(
        'rejected',
        l10n.t('The server at {url} does not know {request} (404): check that the URL of cluster "{cluster}" points at a ComputeHub.', { cluster, request: what, url: this.shownUrl }),
        status,
      );
    }
    return new HubError(
      'rejected',
      l10n.t('The ComputeHub of cluster "{cluster}" refused {request} (HTTP {status}): {text}', { cluster, request: what, status, text: hubText }),
      status,
    );
  }

  private transportError(e: unknown, what: string, timeoutMs: number): HubError {
    const failure = transportFailure(e);
    if (failure.code === 'timeout') {
      return new HubError(
        'timeout',
        l10n.t('The ComputeHub of cluster "{cluster}" at {url} did not answer {request} within {seconds} s. Check that the hub is running and reachable, or raise the hub timeout setting.', {
          cluster: this.cluster,
          url: this.shownUrl,
          request: what,
          seconds: Math.round(timeoutMs / 100) / 10,
        }),
        undefined,
        { cause: e },
      );
    }
    const reason = this.shownText(failure.reason);
    return new HubError(
      'unreachable',
      l10n.t('Cannot reach the ComputeHub of cluster "{cluster}" at {url}: {reason}. Check that the hub is running and the URL is right.', {
        cluster: this.cluster,
        url: this.shownUrl,
        reason,
      }),
      undefined,
      { cause: e },
    );
  }

  private protocolError(what: string, detail: string): HubError {
    return new HubError(
      'protocol',
      l10n.t('The server at {url} (cluster "{cluster}") answered {request} with something that is not a ComputeHub reply ({detail}). Check that the URL points at a ComputeHub of a supported version.', {
        cluster: this.cluster,
        url: this.shownUrl,
        request: what,
        detail,
      }),
    );
  }

  private shownText(text: string): string {
    return shownHubText(text, [this.opts.token]);
  }
}

/** Hub text as shown to the user: short, one line, and without the secrets given. */
export function shownHubText(text: string, secrets: readonly string[]): string {
  const oneLine = redact(text, [...secrets]).replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_SHOWN_TEXT ? `${oneLine.slice(0, MAX_SHOWN_TEXT)}…` : oneLine;
}

/** The HubError code of a reply that is not a 2xx. */
export function hubStatusCode(status: number): Extract<HubErrorCode, 'unauthorized' | 'server' | 'rejected'> {
  if (status === 401) return 'unauthorized';
  if (status >= 500) return 'server';
  return 'rejected';
}

/** A request that got no reply: timed out, or the hub could not be reached and why (in words). */
export function transportFailure(e: unknown): { code: 'timeout' | 'unreachable'; reason: string } {
  const code = errorCode(e);
  const timedOut =
    code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT' ||
    (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError'));
  return timedOut ? { code: 'timeout', reason: describeTransport(code, e) } : { code: 'unreachable', reason: describeTransport(code, e) };
}

const STALE_SOCKET = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

export class BodyTooLarge extends Error {}

/** A reply body: undici's stream, or fetch's. */
type Body = AsyncIterable<Uint8Array | string> & ({ destroy(): void } | { cancel(): Promise<void> });

/** Reads the whole body up to `cap` bytes; past it the stream is dropped so the socket is freed. */
export async function readCapped(body: Body, cap: number = MAX_HUB_BODY_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      const buf = Buffer.isBuffer(chunk) ? chunk : typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
      size += buf.length;
      if (size > cap) throw new BodyTooLarge();
      chunks.push(buf);
    }
  } catch (e) {
    if ('destroy' in body) body.destroy();
    else void body.cancel().catch(() => undefined);
    throw e;
  }
  return Buffer.concat(chunks).toString('utf8');
}

function errorCode(e: unknown): string | undefined {
  if (!e || typeof e !== 'object') return undefined;
  const err = e as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof err.code === 'string') return err.code;
  // Node's happy-eyeballs connect reports an AggregateError of per-address failures.
  if (Array.isArray(err.errors) && err.errors.length) return errorCode(err.errors[0]);
  if (err.cause) return errorCode(err.cause);
  return undefined;
}

function describeTransport(code: string | undefined, e: unknown): string {
  switch (code) {
    case 'ECONNREFUSED':
      return l10n.t('connection refused, nothing listens there (is the hub started?)');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return l10n.t('host name not found');
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return l10n.t('connection closed by the other side');
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return l10n.t('no route to the host');
    default:
      return e instanceof Error && e.message ? e.message : String(code ?? e);
  }
}
