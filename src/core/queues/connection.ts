// One ioredis client per cluster, built from the Redis URL WHOLE (rediss://, /db, user:password
// all handled by ioredis itself). No background reconnection and no offline queue: a dead Redis
// must fail the operation at once with a RedisError, never park commands until it comes back.
// Every operation calls `ready()`, which connects (again) on demand, so the service recovers by
// itself when Redis is back without the caller building a new one.
import Redis from 'ioredis';
import { RedisError } from '../errors';
import { l10n } from '../l10n';
import type { Logger } from '../ports';
import { maskUrl, passwordOf, redact } from '../redact';

export interface ConnectionOptions {
  connectTimeoutMs: number;
  commandTimeoutMs: number;
}

export class RedisConnection {
  readonly client: Redis;
  readonly shownUrl: string;
  private lastError: Error | undefined;
  private connecting: Promise<void> | undefined;
  private disposed = false;

  constructor(
    private readonly url: string,
    opts: ConnectionOptions,
    private readonly logger: Logger,
  ) {
    this.shownUrl = maskUrl(url);
    if (!/^rediss?:\/\/./i.test(url)) {
      throw new RedisError('badurl', l10n.t('The Redis URL {url} is not a redis:// or rediss:// URL: correct it in the cluster profile.', { url: this.shownUrl }));
    }
    this.client = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      // 0: commands in flight when the socket dies are rejected at once instead of re-sent.
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: () => null,
      connectTimeout: opts.connectTimeoutMs,
      commandTimeout: opts.commandTimeoutMs,
    });
    // ioredis reports why a connect failed only through this event; connect() itself just says "closed".
    this.client.on('ready', () => (this.lastError = undefined));
    this.client.on('error', (e: Error) => {
      this.lastError = e;
      this.logger.trace(`redis ${this.shownUrl}: ${this.secretFree(e.message)}`);
    });
  }

  /** Connected client, connecting first when needed. */
  async ready(): Promise<Redis> {
    if (this.disposed) throw new RedisError('unreachable', l10n.t('This Redis connection was closed. Reopen the cluster and try again.'));
    if (this.client.status === 'ready') return this.client;
    if (!this.connecting) {
      this.connecting = this.connect().finally(() => (this.connecting = undefined));
    }
    await this.connecting;
    return this.client;
  }

  private async connect(): Promise<void> {
    const status = this.client.status;
    if (status === 'connecting' || status === 'connect') {
      await new Promise<void>((resolve, reject) => {
        const done = (err?: Error) => {
          this.client.off('ready', onReady);
          this.client.off('end', onEnd);
          if (err) reject(err);
          else resolve();
        };
        const onReady = () => done();
        const onEnd = () => done(new Error('Connection is closed.'));
        this.client.once('ready', onReady);
        this.client.once('end', onEnd);
      }).catch((e: unknown) => {
        throw this.toRedisError(this.lastError ?? e);
      });
      return;
    }
    this.lastError = undefined;
    try {
      await this.client.connect();
    } catch (e) {
      // Leave the client in 'end' so the next call starts a fresh attempt. (disconnect() on a
      // client already ended would mark it "closing by hand", and ioredis then swallows the
      // next attempt's connect error, the one that says why.)
      if (this.client.status !== 'end') this.client.disconnect();
      throw this.toRedisError(this.lastError ?? e);
    }
  }

  /** The error of a failed command, as a RedisError saying what to do. */
  toRedisError(e: unknown): RedisError {
    if (e instanceof RedisError) return e;
    const err = e instanceof Error ? e : new Error(String(e));
    const cause = this.lastError && this.lastError !== err && !isReplyError(err) ? this.lastError : err;
    return mapRedisError(cause, this.shownUrl, (t) => this.secretFree(t));
  }

  private secretFree(text: string): string {
    return redact(maskUrlsIn(text), [passwordOf(this.url)]);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.client.status === 'ready') {
      await this.client.quit().catch(() => undefined);
    }
    this.client.disconnect();
  }
}

function isReplyError(e: Error): boolean {
  return e.name === 'ReplyError';
}

function maskUrlsIn(text: string): string {
  return text.replace(/rediss?:\/\/\S+/gi, (u) => maskUrl(u));
}


export function mapRedisError(err: Error, url: string, scrub: (t: string) => string = (t) => t): RedisError {
  const text = scrub(err.message);
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (/^NOAUTH\b/.test(err.message)) {
    return new RedisError(
      'noauth',
      l10n.t("Redis asks for a password at {url}, but the cluster's Redis URL has none: add it to the URL (redis://:PASSWORD@host:port) in the cluster profile.", { url }),
      { cause: err },
    );
  }
  if (/^WRONGPASS\b/.test(err.message) || /invalid password/i.test(err.message)) {
    return new RedisError(
      'wrongpass',
      l10n.t("Redis at {url} rejected the password in the cluster's Redis URL: correct the password in the cluster profile.", { url }),
      { cause: err },
    );
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return new RedisError(
      'unreachable',
      l10n.t('Cannot reach Redis at {url} ({reason}): check that Redis runs and that the host and port in the cluster profile are right.', { url, reason: code }),
      { cause: err },
    );
  }
  if (code === 'ETIMEDOUT' || /timed out/i.test(err.message)) {
    return new RedisError(
      'timeout',
      l10n.t('Redis at {url} did not answer in time: check the network and the Redis server, or raise the Redis timeout setting.', { url }),
      { cause: err },
    );
  }
  if (
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    /Connection is closed|Stream isn't writeable|MaxRetriesPerRequest|Reached the max retries/i.test(err.message)
  ) {
    return new RedisError(
      'unreachable',
      l10n.t('Lost the connection to Redis at {url}: check that Redis still runs, then try again.', { url }),
      { cause: err },
    );
  }
  return new RedisError('command', l10n.t('Redis at {url} refused the command: {reason}', { url, reason: text }), { cause: err });
}
