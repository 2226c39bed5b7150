// One error type per boundary. `message` is already localized and says what the user can
// do; `code` is stable so the UI (diagnose, tree tooltips) can react without parsing text.

export type ErrorBoundary = 'hub' | 'redis' | 'docker' | 'config' | 'local';

export class GridCoreError extends Error {
  constructor(
    readonly boundary: ErrorBoundary,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class HubError extends GridCoreError {
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
  constructor(code: RedisErrorCode, message: string, options?: { cause?: unknown }) {
    super('redis', code, message, options);
  }
}
export type RedisErrorCode = 'unreachable' | 'timeout' | 'noauth' | 'wrongpass' | 'cancelled' | 'command' | 'badurl';

export class DockerError extends GridCoreError {
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
  constructor(code: ConfigErrorCode, message: string, readonly file?: string, options?: { cause?: unknown }) {
    super('config', code, message, options);
  }
}
export type ConfigErrorCode = 'malformedToml' | 'malformedJson' | 'missingField' | 'unknownCluster' | 'badUrl' | 'io';

export function isGridCoreError(e: unknown): e is GridCoreError {
  return e instanceof GridCoreError;
}
