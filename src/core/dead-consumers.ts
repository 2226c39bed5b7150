// Dead consumers found from what the hub reports, without Docker (remote clusters): upstream's
// node never restarts a container while its task stays, and each heartbeat says how many of its
// containers run (`active_containers`). A list whose batch has not changed since before a
// node's latest heartbeat, on a node that reported no more running containers than it has
// lists that changed since, has no live consumer: each live container holds at most one list.
// When the counts leave it open which list is dead (a paused consumer beside a killed one),
// nothing is said here and the slower "unchanged for too long" rule decides: a live consumer's
// batch is never taken from it on a guess.
import type { HubNode, InFlightList } from './types';

/** When each node's latest heartbeat was sent, as far as this client can tell without trusting
 *  the hub's clock: after the last time the node's previous `last_seen` was seen. */
export class HeartbeatWatch {
  private readonly nodes = new Map<string, { lastSeen: string; seenAt: number; after?: number }>();

  observe(nodes: readonly HubNode[], now: number): void {
    const present = new Set<string>();
    for (const n of nodes) {
      present.add(n.id);
      const prev = this.nodes.get(n.id);
      if (!prev) this.nodes.set(n.id, { lastSeen: n.last_seen, seenAt: now });
      else if (prev.lastSeen !== n.last_seen) this.nodes.set(n.id, { lastSeen: n.last_seen, seenAt: now, after: prev.seenAt });
      else prev.seenAt = now;
    }
    for (const id of [...this.nodes.keys()]) if (!present.has(id)) this.nodes.delete(id);
  }

  /** Client time after which the node's latest heartbeat was sent; undefined until a heartbeat
   *  was seen arriving (the first answer may carry an old one). */
  sentAfter(nodeId: string): number | undefined {
    return this.nodes.get(nodeId)?.after;
  }
}

export interface DeadConsumerFacts {
  nodes: readonly HubNode[];
  /** client time after which the node's latest heartbeat was sent */
  heartbeatAfter(nodeId: string): number | undefined;
  /** client time the list was first seen with its current token and length */
  since(l: InFlightList): number;
}

/** The lists (among `lists`, non-empty ones of known nodes) whose consumer is dead by the
 *  counts above. */
export function deadByContainerCount(lists: readonly InFlightList[], f: DeadConsumerFacts): InFlightList[] {
  const byNode = new Map<string, InFlightList[]>();
  for (const l of lists) {
    if (l.length <= 0 || l.nodeId === undefined) continue;
    const of = byNode.get(l.nodeId);
    if (of) of.push(l);
    else byNode.set(l.nodeId, [l]);
  }
  const dead: InFlightList[] = [];
  for (const [nodeId, of] of byNode) {
    const node = f.nodes.find((n) => n.id === nodeId);
    const after = f.heartbeatAfter(nodeId);
    if (!node || after === undefined || typeof node.active_containers !== 'number') continue;
    // Strictly before: that poll's Redis answer preceded the later poll's node list, so the
    // batch was already there when the heartbeat counted the containers.
    const older = of.filter((l) => f.since(l) < after);
    const newer = of.length - older.length;
    if (older.length && node.active_containers <= newer) dead.push(...older);
  }
  return dead;
}
