// One error type per boundary. `message` is already localized and says what the user can
// do; `code` is stable so the UI (diagnose, tree tooltips) can react without parsing text.

export type ErrorBoundary = 'hub' | 'redis' | 'docker' | 'config' | 'local';

// The build gives the lazily loaded parts (queues, images, local cluster) bundles of their
// own, each with its own copy of this file, so an error thrown by one copy must still pass
// `instanceof` against the classes of another. Each error carries the kinds of its class
// chain under a global symbol, and `instanceof` compares kinds, not constructors. The
// kinds are literals, so minified class names do not leak into `name` either.
const KINDS = Symbol.for('gridcore.error.kinds');

export class GridCoreError extends Error {
  /** What `instanceof` and `name` use; every subclass sets its own. */
  static readonly kind: string = 'GridCoreError';

  static override [Symbol.hasInstance](value: unknown): boolean {
    const kinds = typeof value === 'object' && value !== null ? (value as { [KINDS]?: unknown })[KINDS] : undefined;
    return Array.isArray(kinds) && kinds.includes(this.kind);
  }

  constructor(
    readonly boundary: ErrorBoundary,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    const kinds: string[] = [];
    for (let c: unknown = new.target; typeof c === 'function' && c !== Error; c = Object.getPrototypeOf(c)) {
      const kind = (c as typeof GridCoreError).kind;
      if (!kinds.includes(kind)) kinds.push(kind);
    }
    Object.defineProperty(this, KINDS, { value: kinds });
    this.name = kinds[0];
  }
}

export class HubError extends GridCoreError {
  static override readonly kind: string = 'HubError';
  constructor(code: HubErrorCode, message: string, readonly status?: number, options?: { cause?: unknown }) {
    super('hub', code, message, options);
  }
}
export type HubErrorCode =
  | 'unreachable' // refused, DNS, reset
  | 'timeout'
  | 'unauthorized' // 401: token rejected
  | 'rejected' // 400/404/415/422: hub's own text shown
  | 'server' // 5xx
  | 'protocol'; // body not what the contract says

export class RedisError extends GridCoreError {
  static override readonly kind: string = 'RedisError';
  constructor(code: RedisErrorCode, message: string, options?: { cause?: unknown }) {
    super('redis', code, message, options);
  }
}
export type RedisErrorCode = 'unreachable' | 'timeout' | 'noauth' | 'wrongpass' | 'cancelled' | 'command' | 'badurl';

export class DockerError extends GridCoreError {
  static override readonly kind: string = 'DockerError';
  /** For 'buildFailed': the Dockerfile (relative to the context) and 1-based line of the failing step. */
  readonly location?: { file: string; line: number };
  constructor(code: DockerErrorCode, message: string, readonly log?: string, options?: { cause?: unknown; location?: { file: string; line: number } }) {
    super('docker', code, message, options);
    this.location = options?.location;
  }
}
export type DockerErrorCode =
  | 'daemonDown'
  | 'timeout'
  | 'noDockerfile'
  | 'buildFailed'
  | 'pushFailed'
  | 'imageMissing'
  | 'cancelled'
  | 'api';

export class ConfigError extends GridCoreError {
  static override readonly kind: string = 'ConfigError';
  constructor(code: ConfigErrorCode, message: string, readonly file?: string, options?: { cause?: unknown }) {
    super('config', code, message, options);
  }
}
export type ConfigErrorCode = 'malformedToml' | 'malformedJson' | 'missingField' | 'unknownCluster' | 'badUrl' | 'io' | 'unknownTask' | 'unknownQueue' | 'unknownNode' | 'badInput';

export function isGridCoreError(e: unknown): e is GridCoreError {
  return e instanceof GridCoreError;
}
