// Registered nodes, as upstream keeps them: a node is (re)written on register, touched by
// each heartbeat, and dropped by the sweep once it has been silent for the timeout. A stop
// request is a flag that every later heartbeat answers with `true`; the entry itself stays
// until the node falls silent and the sweep drops it.

import { randomUUID } from 'node:crypto';
import type { HeartbeatRequest, HubNode, NodeRegisterRequest, RuntimeStatus } from '../../core/types';
import { stableStringify } from './json';

interface NodeEntry {
  id: string;
  hostname: string;
  architecture: string;
  cpu_count: number;
  lastSeenMs: number;
  runtime_status: RuntimeStatus | null;
  active_containers: number;
  stopRequested: boolean;
  /** The serialized fields a heartbeat never changes (`"architecture"` .. `"id"`). */
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
      runtime_status: null,
      active_containers: 0,
      stopRequested: false,
      fixed:
        `,"architecture":${JSON.stringify(req.architecture)},"cpu_count":${stableStringify(req.cpu_count)}` +
        `,"hostname":${JSON.stringify(req.hostname)},"id":${JSON.stringify(id)}`,
    });
    this.body = undefined;
    return id;
  }

  /** Returns whether the node should stop; unknown nodes are told `false` and not added. */
  heartbeat(req: HeartbeatRequest): boolean {
    const n = this.nodes.get(req.node_id);
    if (!n) return false;
    n.lastSeenMs = this.now();
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

/** stableStringify(toWire(n)), written out in its alphabetical key order because it runs per heartbeat. */
function serialize(n: NodeEntry): string {
  const status = n.runtime_status === null ? 'null' : JSON.stringify(n.runtime_status);
  return (
    `{"active_containers":${stableStringify(n.active_containers)}${n.fixed}` +
    `,"last_seen":"${new Date(n.lastSeenMs).toISOString()}","runtime_status":${status},"status":"Online"}`
  );
}

function toWire(n: NodeEntry): HubNode {
  return {
    id: n.id,
    hostname: n.hostname,
    architecture: n.architecture,
    cpu_count: n.cpu_count,
    last_seen: new Date(n.lastSeenMs).toISOString(),
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
