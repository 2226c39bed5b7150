// The reliable-consumer convention (README, "Reliable consumers") seen from the extension:
// names, the Lua scripts consumers and the extension share, and which in-flight batches are
// stranded. Pure: no Redis, no hub, no Docker here; the queue service and the façade feed it.
import type { HubNode, InFlightList, StrandedList, StrandedReason } from './types';

/** The hash where consumers announce their processing lists (field: list, value: batch token). */
export function processingRegistry(input: string): string {
  return `${input}:processing`;
}

/** A consumer's processing list. The input comes first and whole, so names holding `:` or
 *  spaces need no escaping: the extension never splits a name it did not get from the
 *  registry of that very input. */
export function processingList(input: string, nodeId: string, instance: string): string {
  return `${processingRegistry(input)}:${nodeId}:${instance}`;
}

/** Items held in these processing lists (a key that is not a list, length -1, holds none). */
export function itemsIn(lists: readonly InFlightList[]): number {
  return lists.reduce((n, l) => n + Math.max(0, l.length), 0);
}

/** Node id and instance out of a processing list's name; the instance is what follows the
 *  last `:`, the node id what lies between. Undefined for a name outside the convention. */
export function parseProcessingList(input: string, list: string): { nodeId: string; instance: string } | undefined {
  const prefix = `${processingRegistry(input)}:`;
  if (!list.startsWith(prefix)) return undefined;
  const rest = list.slice(prefix.length);
  const cut = rest.lastIndexOf(':');
  if (cut <= 0 || cut === rest.length - 1) return undefined;
  return { nodeId: rest.slice(0, cut), instance: rest.slice(cut + 1) };
}

// ---- The scripts. The templates carry TAKE, COMMIT, ACK and RELEASE word for word (a unit
// test checks it), so a user's consumer that copies them interoperates with requeue. ----

/** KEYS: input, processing, registry, attempts. ARGV: count, token, max kills.
 *  A batch still in the list (its consumer died holding it, or a reply was lost) goes back to
 *  the input first, each of its items counted once more in the attempts hash. Then up to
 *  `count` items move in. While the attempts hash exists (only after a recovery: the happy
 *  path pays one EXISTS) recovered items are handed out in smaller batches: an item
 *  recovered c times rides in a batch of at most floor(count ^ ((k-1-c)/(k-1))) items
 *  (k = max kills, at least 2), so 1,000 -> 31 -> 1 for k = 3: the item that keeps killing
 *  its consumer is alone on its k-th death, and an item recovered k times is handed out
 *  only to be set aside ("killed"). Returns the token, the batch's size b, the killed
 *  items' count, then the b items to work on, then the killed ones; all of them are in the
 *  processing list. */
export const TAKE_SCRIPT = `
local input, p, reg, att = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local n, k = tonumber(ARGV[1]), math.max(2, tonumber(ARGV[3]) or 3)
local old = redis.call("LRANGE", p, 0, -1)
for i = 1, #old do redis.call("HINCRBY", att, old[i], 1) end
for i = 1, #old, 1000 do redis.call("RPUSH", input, unpack(old, i, math.min(i + 999, #old))) end
redis.call("DEL", p)
local items = redis.call("RPOP", input, n)
if not items then redis.call("HDEL", reg, p) return {ARGV[2], 0, 0} end
local batch, killed = items, {}
if redis.call("EXISTS", att) == 1 then
  batch = {}
  local limit, stop = n, #items + 1
  for i = 1, #items do
    local c = tonumber(redis.call("HGET", att, items[i])) or 0
    if c >= k then killed[#killed + 1] = items[i] else
      limit = math.min(limit, math.max(1, math.floor(n ^ ((k - 1 - c) / (k - 1)))))
      if #batch >= limit then stop = i break end
      batch[#batch + 1] = items[i]
    end
  end
  for i = #items, stop, -1 do redis.call("RPUSH", input, items[i]) end
  for i = 1, #killed do batch[#batch + 1] = killed[i] end
end
for i = 1, #batch, 1000 do redis.call("LPUSH", p, unpack(batch, i, math.min(i + 999, #batch))) end
redis.call("HSET", reg, p, ARGV[2])
table.insert(batch, 1, #killed)
table.insert(batch, 1, #batch - 1 - #killed)
table.insert(batch, 1, ARGV[2])
return batch`;

/** KEYS: processing, registry, output, failed, attempts. ARGV: token, r, r results, then the
 *  failed entries. Pushes the results and the failed entries and drops the batch (and its
 *  items' attempts) at once, only while the token is still the registry's (else -1: a
 *  requeue took the batch, or a retry whose first reply was lost finds it done). -2 when the
 *  failed list's key holds something else than a list: nothing written. */
export const COMMIT_SCRIPT = `
local p, reg, out, failed, att = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
if redis.call("HGET", reg, p) ~= ARGV[1] then return -1 end
local r = tonumber(ARGV[2])
if #ARGV > r + 2 and redis.call("TYPE", failed).ok ~= "list" and redis.call("EXISTS", failed) == 1 then return -2 end
for i = 3, r + 2, 1000 do redis.call("LPUSH", out, unpack(ARGV, i, math.min(i + 999, r + 2))) end
for i = r + 3, #ARGV, 1000 do redis.call("LPUSH", failed, unpack(ARGV, i, math.min(i + 999, #ARGV))) end
if redis.call("EXISTS", att) == 1 then
  local items = redis.call("LRANGE", p, 0, -1)
  for i = 1, #items, 1000 do redis.call("HDEL", att, unpack(items, i, math.min(i + 999, #items))) end
end
redis.call("DEL", p)
redis.call("HDEL", reg, p)
return r`;

/** The ack of a consumer whose output is on another Redis (results pushed there first).
 *  KEYS: processing, registry, failed, attempts. ARGV: token, failed entries... */
export const ACK_SCRIPT = `
local p, reg, failed, att = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
if redis.call("HGET", reg, p) ~= ARGV[1] then return -1 end
if #ARGV > 1 and redis.call("TYPE", failed).ok ~= "list" and redis.call("EXISTS", failed) == 1 then return -2 end
for i = 2, #ARGV, 1000 do redis.call("LPUSH", failed, unpack(ARGV, i, math.min(i + 999, #ARGV))) end
if redis.call("EXISTS", att) == 1 then
  local items = redis.call("LRANGE", p, 0, -1)
  for i = 1, #items, 1000 do redis.call("HDEL", att, unpack(items, i, math.min(i + 999, #items))) end
end
redis.call("DEL", p)
redis.call("HDEL", reg, p)
return 1`;

/** KEYS: registries. For each: a flat array list, token, length (-1: the key is not a list);
 *  an empty array when the registry is missing or not a hash. One call per poll, whatever the
 *  number of consumers: no KEYS, no SCAN. */
export const INFLIGHT_SCRIPT = `
local out = {}
for i, reg in ipairs(KEYS) do
  local entry = {}
  local flat = redis.pcall("HGETALL", reg)
  if type(flat) == "table" and not flat.err then
    for j = 1, #flat, 2 do
      local n = redis.pcall("LLEN", flat[j])
      if type(n) ~= "number" then n = -1 end
      entry[#entry + 1] = flat[j]
      entry[#entry + 1] = flat[j + 1]
      entry[#entry + 1] = n
    end
  end
  out[i] = entry
end
return out`;

/** KEYS: input, processing, registry[, attempts]. ARGV: the token the list was found
 *  stranded with ("" to take it whatever its token). Moves the batch back to the input's
 *  popping end in its order, drops the list and its registration, all at once; with the
 *  attempts key each item's recoveries are counted (the service's Requeue Stranded Items:
 *  a stranded batch is a dead or hung consumer's). Without it, nothing is counted: the
 *  templates' RELEASE (a consumer giving back a batch it chose not to work on). Returns the
 *  count moved (0: the list is gone: committed, or requeued already); -1 when the key is not
 *  a list (left alone); -2 when its consumer took another batch since (not stranded).
 *  Run again, it finds nothing: a requeue retried after a lost reply moves nothing twice. */
export const REQUEUE_SCRIPT = `
local input, p, reg, att = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local t = redis.call("TYPE", p).ok
local owner = redis.call("HGET", reg, p)
if t == "none" then
  if owner == ARGV[1] then redis.call("HDEL", reg, p) end
  return 0
end
if t ~= "list" then return -1 end
if ARGV[1] ~= "" and owner ~= ARGV[1] then return -2 end
local items = redis.call("LRANGE", p, 0, -1)
if att then for i = 1, #items do redis.call("HINCRBY", att, items[i], 1) end end
for i = 1, #items, 1000 do redis.call("RPUSH", input, unpack(items, i, math.min(i + 999, #items))) end
redis.call("DEL", p)
redis.call("HDEL", reg, p)
return #items`;

/** The templates' name for REQUEUE_SCRIPT run with three keys (nothing counted). */
export const RELEASE_SCRIPT = REQUEUE_SCRIPT;

// ---- Stranded batches ----

export interface StrandedFacts {
  /** the hub's nodes; undefined when the hub did not answer (that rule is then skipped) */
  nodes?: readonly HubNode[];
  /** whether the task these lists belong to is the hub's current one; undefined: unknown */
  taskCurrent?: boolean;
  /** local cluster: whether Docker has a live (running or paused) container of that node
   *  and instance for the task; undefined: Docker was not asked */
  containerAlive?(nodeId: string, instance: string): boolean;
  /** how long each list has shown the same token and length (StrandedTracker) */
  unchangedMs?(l: InFlightList): number;
  /** a list unchanged this long while its node is up counts as stranded */
  staleMs: number;
}

/** The first reason that makes a list stranded, else undefined. */
export function strandedReason(l: InFlightList, f: StrandedFacts): StrandedReason | undefined {
  if (l.length < 0) return 'notAList';
  if (l.length === 0) return undefined;
  if (f.containerAlive && l.nodeId !== undefined && l.instance !== undefined && !f.containerAlive(l.nodeId, l.instance)) return 'containerGone';
  if (f.nodes && l.nodeId !== undefined) {
    const node = f.nodes.find((n) => n.id === l.nodeId);
    if (!node || node.status !== 'Online') return 'nodeGone';
  }
  if (f.taskCurrent === false) return 'taskNotCurrent';
  if ((f.unchangedMs?.(l) ?? 0) >= f.staleMs) return 'unchanged';
  return undefined;
}

export function strandedLists(lists: readonly InFlightList[], f: StrandedFacts): StrandedList[] {
  const out: StrandedList[] = [];
  for (const l of lists) {
    const reason = strandedReason(l, f);
    if (reason) out.push({ ...l, reason });
  }
  return out;
}

/** Remembers since when each processing list has shown the same token and length. */
export class StrandedTracker {
  private readonly seen = new Map<string, { key: string; since: number }>();

  observe(lists: readonly InFlightList[], now = Date.now()): void {
    const present = new Set<string>();
    for (const l of lists) {
      present.add(l.list);
      const key = `${l.token}\u0000${l.length}`;
      const prev = this.seen.get(l.list);
      if (!prev || prev.key !== key) this.seen.set(l.list, { key, since: now });
    }
    for (const name of [...this.seen.keys()]) if (!present.has(name)) this.seen.delete(name);
  }

  unchangedMs(l: InFlightList, now = Date.now()): number {
    const s = this.seen.get(l.list);
    return s && s.key === `${l.token}\u0000${l.length}` ? now - s.since : 0;
  }
}
