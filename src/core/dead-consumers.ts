// Dead consumers found from what the hub reports, without Docker (remote clusters): upstream's
// node never restarts a container while its task stays, and each heartbeat says how many of its
// containers run (`active_containers`). So a consumer seen acting after a heartbeat was alive
// when it was sent; if a heartbeat counts no more running containers than the node's consumers
// seen acting after it, every batch of that node that has not changed since before it has no
// live consumer (each live container holds at most one list), and never will again: a batch
// that is still unchanged now is stranded.
// Acting is taking a batch (a new token or length) or committing one (the list leaves the
// registry) by the consumer itself; a list this client requeued, or called stranded, left by a
// requeue, which says nothing of its consumer. Every heartbeat seen in the last minutes counts,
// not only the latest: near the end of a job the live consumers commit their last batches and
// then wait with no list, so the heartbeat sent before those commits is the one that tells.
// When the counts leave it open which list is dead (a paused consumer beside a killed one, and
// nothing else acting), nothing is said here and the slower "unchanged for too long" rule
// decides: a live consumer's batch is never taken from it on a guess.
// Left open: a batch requeued by another client (a second window, the MCP server) while a
// neighbour of it on the same node is paused reads as a commit here.
import type { HubNode, InFlightList } from './types';

/** One heartbeat of a node as this client saw it, in client time (the hub's clock is not
 *  trusted): sent after `after` (the last poll that still saw the previous one) and seen
 *  first at `seen`, counting `active` running containers. */
export interface SeenHeartbeat {
  after: number;
  seen: number;
  active: number;
}

/** How long heartbeats are kept: past it the "unchanged for too long" rule has long spoken. */
const KEEP_HEARTBEATS_MS = 15 * 60_000;
const MAX_HEARTBEATS = 1000;

/** When each node's heartbeats were sent, as far as this client can tell, and what they counted. */
export class HeartbeatWatch {
  private readonly nodes = new Map<string, { lastSeen: string; seenAt: number; beats: SeenHeartbeat[] }>();

  observe(nodes: readonly HubNode[], now: number): void {
    const present = new Set<string>();
    for (const n of nodes) {
      present.add(n.id);
      const prev = this.nodes.get(n.id);
      if (!prev) this.nodes.set(n.id, { lastSeen: n.last_seen, seenAt: now, beats: [] });
      else if (prev.lastSeen !== n.last_seen) {
        // The first answer may carry an old heartbeat: only one seen arriving is placed.
        if (typeof n.active_containers === 'number') prev.beats.push({ after: prev.seenAt, seen: now, active: n.active_containers });
        const keep = prev.beats.findIndex((b) => b.seen >= now - KEEP_HEARTBEATS_MS);
        prev.beats.splice(0, keep < 0 ? prev.beats.length : Math.max(keep, prev.beats.length - MAX_HEARTBEATS));
        prev.lastSeen = n.last_seen;
        prev.seenAt = now;
      } else prev.seenAt = now;
    }
    for (const id of [...this.nodes.keys()]) if (!present.has(id)) this.nodes.delete(id);
  }

  /** The node's heartbeats seen arriving, oldest first. */
  heartbeats(nodeId: string): readonly SeenHeartbeat[] {
    return this.nodes.get(nodeId)?.beats ?? [];
  }

  /** Client time after which the node's latest heartbeat was sent; undefined until a heartbeat
   *  was seen arriving (the first answer may carry an old one). */
  sentAfter(nodeId: string): number | undefined {
    return this.nodes.get(nodeId)?.beats.at(-1)?.after;
  }
}

/** Consumers whose batch left the registry by their own commit, per input: the last trace of a
 *  consumer that then waits for items with no list. */
export class CommitWatch {
  /** the non-empty lists of the last look */
  private last = new Map<string, InFlightList>();
  private readonly committed = new Map<string, { nodeId: string; instance: string; at: number }>();

  /** `byRequeue`: whether a list that left was requeued (by this client, or called stranded by
   *  it) rather than committed by its consumer. */
  observe(lists: readonly InFlightList[], now: number, byRequeue: (l: InFlightList) => boolean): void {
    const next = new Map<string, InFlightList>();
    for (const l of lists) if (l.length > 0) next.set(l.list, l);
    for (const [name, l] of this.last) {
      if (next.has(name) || l.nodeId === undefined || l.instance === undefined || byRequeue(l)) continue;
      this.committed.set(name, { nodeId: l.nodeId, instance: l.instance, at: now });
    }
    // A list back in the registry speaks for its consumer by its own since.
    for (const name of next.keys()) this.committed.delete(name);
    for (const [name, c] of this.committed) if (c.at < now - KEEP_HEARTBEATS_MS) this.committed.delete(name);
    this.last = next;
  }

  /** The node's consumers seen committing (with no list since), and when. */
  of(nodeId: string): Array<{ instance: string; at: number }> {
    return [...this.committed.values()].filter((c) => c.nodeId === nodeId).map(({ instance, at }) => ({ instance, at }));
  }
}

export interface DeadConsumerFacts {
  nodes: readonly HubNode[];
  /** the node's heartbeats seen arriving (HeartbeatWatch), oldest first */
  heartbeats(nodeId: string): readonly SeenHeartbeat[];
  /** client time the list was first seen with its current token and length */
  since(l: InFlightList): number;
  /** the node's consumers seen committing their batch, with no list since (CommitWatch) */
  committed?(nodeId: string): ReadonlyArray<{ instance: string; at: number }>;
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
  const dead = new Set<InFlightList>();
  for (const [nodeId, of] of byNode) {
    if (!f.nodes.some((n) => n.id === nodeId)) continue;
    // When each consumer of the node last acted: its list's current state, or its commit.
    const acted = new Map<string, number>();
    for (const l of of) acted.set(l.instance ?? l.list, f.since(l));
    for (const c of f.committed?.(nodeId) ?? []) if (!acted.has(c.instance)) acted.set(c.instance, c.at);
    const beats = f.heartbeats(nodeId);
    for (const b of beats) {
      // Strictly before: that poll's Redis answer preceded the node list that brought the
      // heartbeat, so the batch was already there when the heartbeat counted the containers.
      const older = of.filter((l) => f.since(l) < b.after);
      if (!older.length) continue;
      // Acted after the heartbeat: seen first by a later poll than the one that brought it.
      // For the latest heartbeat an act seen by that same poll counts too (it came after the
      // poll before, so within one poll after the heartbeat): a verdict within a poll of the
      // kill; should that act be a consumer's last before it died, the verdict lasts only
      // until the next heartbeat.
      const latest = b === beats[beats.length - 1];
      let acting = 0;
      for (const at of acted.values()) if (at > b.seen || (latest && at === b.seen)) acting++;
      if (b.active <= acting) for (const l of older) dead.add(l);
    }
  }
  return lists.filter((l) => dead.has(l));
}
