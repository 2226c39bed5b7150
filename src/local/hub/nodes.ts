// Registered nodes, as upstream keeps them: a node is (re)written on register, touched by
// each heartbeat, and dropped by the sweep once it has been silent for the timeout. A stop
// request is a flag that every later heartbeat answers with `true`; the entry itself stays
// until the node falls silent and the sweep drops it.

import { randomUUID } from 'node:crypto';
import type { HeartbeatRequest, HubNode, NodeRegisterRequest, RuntimeStatus } from '../../core/types';

interface NodeEntry {
  id: string;
  hostname: string;
  architecture: string;
  cpu_count: number;
  lastSeenMs: number;
  /** The nanoseconds below `lastSeenMs` (0..999,999). The RFC 3339 text is written only when
   *  the node is listed: nodes beat far more often than anyone reads a single beat's time. */
  lastSeenSubNanos: number;
  runtime_status: RuntimeStatus | null;
  active_containers: number;
  stopRequested: boolean;
  /** The serialized fields a heartbeat never changes (`"id"` .. `"cpu_count"`). */
  fixed: string;
  /** Serialized form, rebuilt only after the entry changed. */
  bytes?: Buffer;
}

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

export class NodeRegistry {
  private readonly nodes = new Map<string, NodeEntry>();
  /** The whole GET /api/nodes body until the next change: clients list far more often than 1,000 nodes beat. */
  private body: Buffer | undefined;

  /** `now` in milliseconds (tests move it); the wire timestamp adds this machine's sub-millisecond clock. */
  constructor(private readonly now: () => number = Date.now) {}


  get size(): number {
    return this.nodes.size;
  }

  register(req: NodeRegisterRequest): string {
    const id = req.node_id ?? randomUUID();
    this.nodes.set(id, {
      id,
      hostname: req.hostname,
      architecture: req.architecture,
      cpu_count: req.cpu_count,
      lastSeenMs: this.now(),
      lastSeenSubNanos: subMillisecondNanos(),
      runtime_status: null,
      active_containers: 0,
      stopRequested: false,
      fixed:
        `{"id":${JSON.stringify(id)},"hostname":${JSON.stringify(req.hostname)}` +
        `,"architecture":${JSON.stringify(req.architecture)},"cpu_count":${JSON.stringify(req.cpu_count)}`,
    });
    this.body = undefined;
    return id;
  }

  /** Returns whether the node should stop; unknown nodes are told `false` and not added. */
  heartbeat(req: HeartbeatRequest): boolean {
    const n = this.nodes.get(req.node_id);
    if (!n) return false;
    n.lastSeenMs = this.now();
    n.lastSeenSubNanos = subMillisecondNanos();
    n.runtime_status = req.status;
    n.active_containers = req.active_containers;
    n.bytes = undefined;
    this.body = undefined;
    return n.stopRequested;
  }

  /** False when no such node is registered. */
  requestStop(id: string): boolean {
    const n = this.nodes.get(id);
    if (!n) return false;
    n.stopRequested = true;
    return true;
  }

  /** Drops nodes silent for `timeoutMs` or more; returns how many went. */
  sweep(timeoutMs: number): number {
    const now = this.now();
    let dropped = 0;
    for (const [id, n] of this.nodes) {
      if (now - n.lastSeenMs >= timeoutMs) {
        this.nodes.delete(id);
        dropped++;
      }
    }
    if (dropped) this.body = undefined;
    return dropped;
  }

  list(): HubNode[] {
    return [...this.nodes.values()].map(toWire);
  }

  /** The JSON array, as bytes: only the nodes that changed since the last call are serialized again. */
  listJson(): Buffer {
    if (this.body) return this.body;
    const parts: Buffer[] = [OPEN];
    for (const n of this.nodes.values()) {
      if (parts.length > 1) parts.push(COMMA);
      parts.push((n.bytes ??= Buffer.from(serialize(n))));
    }
    parts.push(CLOSE);
    return (this.body = Buffer.concat(parts));
  }
}

/** JSON.stringify(toWire(n)) in upstream's Node field order (id, hostname, architecture,
 *  cpu_count, last_seen, status, runtime_status, active_containers), written out because it
 *  runs per heartbeat. */
function serialize(n: NodeEntry): string {
  const status = n.runtime_status === null ? 'null' : JSON.stringify(n.runtime_status);
  return `${n.fixed},"last_seen":"${lastSeenText(n)}","status":"Online","runtime_status":${status},"active_containers":${JSON.stringify(n.active_containers)}}`;
}

// Date has milliseconds only; the monotonic clock supplies the digits below them, so the
// timestamps carry nanoseconds like upstream's (chrono::Utc::now()). Plain numbers, no
// BigInt: this runs on every heartbeat.
function subMillisecondNanos(): number {
  return process.hrtime()[1] % 1_000_000;
}

function lastSeenText(n: NodeEntry): string {
  return rfc3339NanosOf(n.lastSeenMs, n.lastSeenSubNanos);
}

// The "YYYY-MM-DDTHH:MM:SS" part changes once a second; a listing of 1,000 nodes that beat
// within the same few seconds formats it a handful of times instead of 1,000.
let baseSecond = NaN;
let baseText = '';

/** rfc3339Nanos for a millisecond time plus the nanoseconds below it (0..999,999). */
export function rfc3339NanosOf(ms: number, subNanos: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== baseSecond) {
    baseText = new Date(second * 1000).toISOString().slice(0, 19);
    baseSecond = second;
  }
  const nanos = (ms - second * 1000) * 1_000_000 + subNanos;
  if (nanos === 0) return `${baseText}Z`;
  const digits = String(nanos).padStart(9, '0');
  const width = nanos % 1_000_000 === 0 ? 3 : nanos % 1000 === 0 ? 6 : 9;
  return `${baseText}.${digits.slice(0, width)}Z`;
}

/** chrono's RFC 3339 form with `SecondsFormat::AutoSi` and `Z`: 0, 3, 6 or 9 fraction digits,
 *  the fewest that hold the value exactly. */
export function rfc3339Nanos(epochNanos: bigint): string {
  const ms = Number(epochNanos / 1_000_000n);
  const nanos = Number(epochNanos % 1_000_000_000n);
  const base = new Date(ms).toISOString().slice(0, 19);
  if (nanos === 0) return `${base}Z`;
  const digits = String(nanos).padStart(9, '0');
  const width = nanos % 1_000_000 === 0 ? 3 : nanos % 1000 === 0 ? 6 : 9;
  return `${base}.${digits.slice(0, width)}Z`;
}

function toWire(n: NodeEntry): HubNode {
  return {
    id: n.id,
    hostname: n.hostname,
    architecture: n.architecture,
    cpu_count: n.cpu_count,
    last_seen: lastSeenText(n),
    // Silent nodes are dropped rather than marked, so every listed node is Online (as upstream).
    status: 'Online',
    runtime_status: n.runtime_status,
    active_containers: n.active_containers,
  };
}

/** The platform upstream derives from a node's reported architecture. */
export function platformOf(architecture: string): string {
  switch (architecture) {
    case 'aarch64':
      return 'linux/arm64';
    case 'arm':
      return 'linux/arm/v7';
    default:
      return 'linux/amd64';
  }
}
