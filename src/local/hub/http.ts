// HTTP plumbing on node:http, shaped like upstream's axum router: 404 (empty) for unknown
// paths; on an authenticated path the bearer check next (401, empty, no Content-Type), since
// upstream's auth layer wraps the method router and so runs before its 405; then 405 (empty,
// with `allow`) for another method. The method router adds `allow` to whatever its fallback
// answers, so a 401 for a wrong method carries it too. Then the handler. Text bodies are `text/plain; charset=utf-8`, JSON bodies `application/json`.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { BODY_LIMIT } from './axum-json';

export interface Reply {
  status: number;
  /** Absent: an empty body with no Content-Type. */
  text?: string;
  /** Large bodies come as bytes that their owner caches between changes. */
  json?: string | Buffer;
}

export interface RequestContext {
  headers: IncomingMessage['headers'];
  query: URLSearchParams;
  params: Record<string, string>;
  /** The whole body, or undefined when it exceeds axum's 2 MiB limit. */
  readBody(): Promise<Buffer | undefined>;
}

export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>;

export interface RouteDef {
  /** Literal path, or with `{name}` segments. */
  path: string;
  /** Methods in the order upstream registered them (that is the order of `allow`). */
  methods: Array<[method: 'GET' | 'POST', handler: Handler]>;
  public?: boolean;
}

interface CompiledRoute {
  handlers: Map<string, Handler>;
  allow: string;
  public: boolean;
  segments?: string[];
}

export function reply(status: number, body?: { text?: string; json?: string | Buffer }): Reply {
  return { status, ...body };
}

export class Router {
  private readonly exact = new Map<string, CompiledRoute>();
  private readonly patterns: CompiledRoute[] = [];

  constructor(routes: RouteDef[], private readonly token: string) {
    for (const r of routes) {
      const handlers = new Map<string, Handler>();
      const allow: string[] = [];
      for (const [method, handler] of r.methods) {
        handlers.set(method, handler);
        allow.push(method);
        // axum's `get` also answers HEAD (same handler, body dropped).
        if (method === 'GET') {
          handlers.set('HEAD', handler);
          allow.push('HEAD');
        }
      }
      const compiled: CompiledRoute = { handlers, allow: allow.join(','), public: !!r.public };
      if (r.path.includes('{')) this.patterns.push({ ...compiled, segments: r.path.split('/') });
      else this.exact.set(r.path, compiled);
    }
  }

  private match(path: string): { route: CompiledRoute; params: Record<string, string> } | undefined {
    const route = this.exact.get(path);
    if (route) return { route, params: {} };
    const parts = path.split('/');
    for (const p of this.patterns) {
      const segs = p.segments!;
      if (segs.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let k = 0; k < segs.length && ok; k++) {
        const s = segs[k];
        if (s.startsWith('{')) {
          if (!parts[k]) ok = false;
          else params[s.slice(1, -1)] = decodeSegment(parts[k]);
        } else if (s !== parts[k]) ok = false;
      }
      if (ok) return { route: p, params };
    }
    return undefined;
  }

  authorized(req: IncomingMessage): boolean {
    const h = req.headers.authorization;
    return typeof h === 'string' && h.startsWith('Bearer ') && h.slice(7) === this.token;
  }

  /** `preread`: the body, when the caller already read it. */
  async handle(req: IncomingMessage, res: ServerResponse, preread?: Buffer): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const found = this.match(path);
    if (!found) return send(res, { status: 404 });
    const handler = found.route.handlers.get(req.method ?? '');
    const allow = handler ? undefined : found.route.allow;
    if (!found.route.public && !this.authorized(req)) return send(res, { status: 401 }, allow);
    if (!handler) return send(res, { status: 405 }, allow);
    let query: URLSearchParams | undefined;
    const ctx: RequestContext = {
      headers: req.headers,
      // Parsed only by the one route that reads it.
      get query() {
        return (query ??= new URLSearchParams(q < 0 ? '' : url.slice(q + 1)));
      },
      params: found.params,
      readBody: () => (preread ? Promise.resolve(preread) : readBody(req)),
    };
    const r = handler(ctx);
    send(res, r instanceof Promise ? await r : r);
  }
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length']);
  if (declared > BODY_LIMIT) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > BODY_LIMIT) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function send(res: ServerResponse, r: Reply, allow?: string): void {
  const headers: Record<string, string | number> = {};
  let body: string | Buffer = '';
  if (r.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = r.json;
  } else if (r.text !== undefined) {
    headers['content-type'] = 'text/plain; charset=utf-8';
    body = r.text;
  }
  if (allow) headers.allow = allow;
  headers['content-length'] = Buffer.byteLength(body);
  res.writeHead(r.status, headers);
  res.end(body);
}
