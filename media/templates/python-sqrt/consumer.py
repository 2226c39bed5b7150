"""{{TASK_NAME}}: square roots, reliably. Moves up to BATCH numbers at a time from INPUT_QUEUE
into its own processing list, works on them in a child process, then pushes the results, and
sets aside the items it could not process, in ONE atomic Lua script, so a container killed at
any instant leaves every item either still queued (input or processing list), done, or in the
failed list with its error. It waits for work for as long as it runs (upstream's GridNode never
starts a consumer again once it exited) and exits only on SIGTERM, after the batch it holds.
The convention is in the README ("Reliable consumers")."""
import base64
import json
import math
import os
import pickle
import select
import signal
import struct
import sys
import tempfile
import time
import traceback
import uuid
from collections import deque
from datetime import datetime, timezone

import redis

BATCH = int(os.environ.get("BATCH", "1000"))
# The work on one batch (a child process) is killed past this many seconds: a hung item is
# then found like a crashing one.
BATCH_SECONDS = float(os.environ.get("BATCH_SECONDS", "300"))
# An item recovered this many times from a consumer that died holding it is set aside.
MAX_KILLS = int(os.environ.get("MAX_KILLS", "3"))
# When more than this share of the recent items fails, nothing more is set aside: the batch
# goes back to the input and the consumer pauses (a wrong password in the code, an API down).
FAIL_PERCENT = float(os.environ.get("FAIL_PERCENT", "50"))
FAIL_PAUSE_SECONDS = float(os.environ.get("FAIL_PAUSE_SECONDS", "10"))
ERROR_CHARS = 2000


def work(item: bytes) -> str:
    """The per-item work: replace it with yours. Raise to reject the item: it goes to the
    failed list with the error. It runs in a child process, so a crash, an exit or a hang
    here costs one batch's work, not the consumer."""
    text = item.decode("utf-8", "replace")
    try:
        n = float(text)
        return f"{text}:{math.sqrt(n)}"
    except ValueError:
        return f"{text}:NaN"


# KEYS: input, processing, registry, attempts. ARGV: count, token, max kills. Returns the
# token, the batch's size b, the killed count, the b items, then the items recovered MAX_KILLS
# times (to set aside unworked). The same script as the shell template's.
TAKE = """
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
return batch
"""

# KEYS: processing, registry, output, failed, attempts. ARGV: token, r, r results, failed
# entries. Only while the batch is still mine (-1 otherwise); -2: the failed key is no list.
COMMIT = """
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
return r
"""

# Output on another Redis: results first, then this ack with the failed entries.
ACK = """
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
return 1
"""

# KEYS: input, processing, registry. ARGV: token. Gives my batch back to the input unworked.
RELEASE = """
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
return #items
"""

stopping = False


def on_term(_signum, _frame):
    global stopping
    stopping = True


def run_child(items):
    """Runs work() on the items in a child process. Returns the outcomes of a prefix of the
    items (("R", result) or ("E", error)) and None, or the reason the child died early."""
    r, w = os.pipe()
    err = tempfile.TemporaryFile()  # the work's stderr: its last lines go with a crash's error
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.dup2(err.fileno(), 2)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        out = os.fdopen(w, "wb")
        for item in items:
            try:
                outcome = ("R", work(item))
            except Exception as e:  # noqa: BLE001 -- any error of the user's code rejects the item
                outcome = ("E", f"{type(e).__name__}: {e}\n{traceback.format_exc()}"[:ERROR_CHARS])
            frame = pickle.dumps(outcome)
            out.write(struct.pack(">I", len(frame)) + frame)
            out.flush()  # one by one: a crash keeps what was done and names the item it hit
        out.close()
        os._exit(0)
    os.close(w)
    data, deadline, timed_out = bytearray(), time.monotonic() + BATCH_SECONDS, False
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([r], [], [], left)[0]:
            os.kill(pid, signal.SIGKILL)
            timed_out = True
            break
        chunk = os.read(r, 1 << 16)
        if not chunk:
            break
        data += chunk
    os.close(r)
    _, status = os.waitpid(pid, 0)
    err.seek(0)
    lines = err.read()
    err.close()
    if lines:
        sys.stderr.buffer.write(lines)  # still in the container's log
        sys.stderr.flush()
    last = " | ".join(lines.decode("utf-8", "replace").strip().splitlines()[-3:])
    last = f"; its last lines: {last}" if last else ""
    outcomes, at = [], 0
    while at + 4 <= len(data):
        size = struct.unpack(">I", data[at:at + 4])[0]
        if at + 4 + size > len(data):
            break
        outcomes.append(pickle.loads(data[at + 4:at + 4 + size]))
        at += 4 + size
    if timed_out:
        return outcomes, f"the work ran past BATCH_SECONDS ({BATCH_SECONDS:g} s) and was killed{last}"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return outcomes, f"the work was killed by signal {sig} ({signal.Signals(sig).name}){last}"
    if os.WEXITSTATUS(status) != 0:
        return outcomes, f"the work exited with status {os.WEXITSTATUS(status)}{last}"
    return outcomes, None


def settle(items):
    """The outcome of every item: results, and (item, error) for the rejected ones. When the
    work dies, what it finished is kept; the item it stopped at is tried alone, the rest again
    (or, when it finished nothing, each half): an item fails only when it fails alone or
    raises, never for sharing a batch with a bad one."""
    results, failed, pending = [], [], [items]
    while pending:
        part = pending.pop()
        outcomes, died = run_child(part)
        for item, (kind, text) in zip(part, outcomes):
            if kind == "R":
                results.append(text)
            else:
                failed.append((item, text))
        rest = part[len(outcomes):]
        if died is None or not rest:
            continue
        if len(part) == 1:
            failed.append((part[0], died))
        elif outcomes:
            pending += [p for p in (rest[1:], rest[:1]) if p]
        else:
            half = (len(rest) + 1) // 2
            pending += [rest[half:], rest[:half]]
    return results, failed


def entry(item: bytes, error: str, attempts: int, reason: str) -> str:
    """One failed-list entry: keys in this order; an item that is not UTF-8 goes as base64."""
    e = {}
    try:
        e["item"] = item.decode("utf-8")
    except UnicodeDecodeError:
        e["item_b64"] = base64.b64encode(item).decode("ascii")
    e.update(
        error=error[:ERROR_CHARS],
        attempts=attempts,
        task=os.environ.get("TASK_NAME", ""),
        node_id=os.environ.get("NODE_ID", "local"),
        instance_id=os.environ.get("INSTANCE_ID", "0"),
        time=datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        reason=reason,
    )
    return json.dumps(e, ensure_ascii=False, separators=(",", ":"))


def retrying(call):
    """Runs a Redis call, again while Redis is away (a restart): TAKE, COMMIT, ACK and
    RELEASE are safe to run twice (a commit whose reply was lost answers -1 the second time)."""
    deadline = time.monotonic() + 120
    said = False
    while True:
        try:
            return call()
        except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError) as e:
            if time.monotonic() > deadline:
                raise
            if not said:
                # Said once, so a wrong host shows in the log at once, not after two minutes.
                print(f"consumer: Redis does not answer ({e}); trying again for up to 120 s", file=sys.stderr, flush=True)
                said = True
            time.sleep(0.5)


def main() -> int:
    signal.signal(signal.SIGTERM, on_term)
    in_url = os.environ["INPUT_REDIS_URL"]
    out_url = os.environ.get("OUTPUT_REDIS_URL") or in_url
    # The URLs are used whole: password, database, TLS and options all come with them.
    r_in = redis.from_url(in_url)
    r_out = r_in if out_url == in_url else redis.from_url(out_url)
    input_q = os.environ["INPUT_QUEUE"]
    output_q = os.environ.get("OUTPUT_QUEUE") or f"{input_q}:output"
    processing = f"{input_q}:processing:{os.environ.get('NODE_ID', 'local')}:{os.environ.get('INSTANCE_ID', '0')}"
    registry = f"{input_q}:processing"
    failed_q, attempts_h = f"{input_q}:failed", f"{input_q}:attempts"
    take, commit = r_in.register_script(TAKE), r_in.register_script(COMMIT)
    ack, release = r_in.register_script(ACK), r_in.register_script(RELEASE)
    run_id = uuid.uuid4().hex
    recent = deque(maxlen=max(BATCH, 100))  # True per recent item that failed
    pause = FAIL_PAUSE_SECONDS
    seq = idle = 0
    while not stopping:
        seq += 1
        token = f"{run_id}.{seq}"
        reply = retrying(lambda: take(keys=[input_q, processing, registry, attempts_h], args=[BATCH, token, MAX_KILLS]))
        if reply[0].decode() != token:
            raise RuntimeError(f"input Redis answered: {reply[0]!r}")
        size, killed_n = int(reply[1]), int(reply[2])
        items, killed = reply[3:3 + size], reply[3 + size:]
        if not items and not killed:
            # Wait for work for as long as we run: upstream's nodes never start us again.
            idle += 1
            time.sleep(0.2 if idle < 25 else 1.0)
            continue
        idle = 0
        results, failed = settle(items) if items else ([], [])
        errors = len(failed) + sum(recent) if failed else 0
        if errors >= 10 and errors * 100 > FAIL_PERCENT * (len(items) + len(recent)):
            print(f"consumer: {len(failed)} of {len(items)} items failed ({sum(recent)} of the {len(recent)} before), "
                  f"more than FAIL_PERCENT={FAIL_PERCENT:g}%: setting none aside, the batch goes back to the input; "
                  f"trying again in {pause:g} s. First error: {failed[0][1].splitlines()[0] if failed[0][1] else ''}", flush=True)
            retrying(lambda: release(keys=[input_q, processing, registry], args=[token]))
            time.sleep(pause)
            pause = min(pause * 2, 300)
            continue
        recent.extend([False] * len(results) + [True] * len(failed))
        entries = []
        if failed or killed:
            bad = [i for i, _ in failed] + list(killed)
            counts = [int(c or 0) for c in retrying(lambda: r_in.hmget(attempts_h, bad))]
            entries = [entry(i, e, c + 1, "error") for (i, e), c in zip(failed, counts)]
            entries += [entry(i, f"killed its consumer {c} times", c, "killed") for i, c in zip(killed, counts[len(failed):])]
        while True:
            if r_out is r_in:
                done = retrying(lambda: commit(keys=[processing, registry, output_q, failed_q, attempts_h], args=[token, len(results), *results, *entries]))
            else:
                if results:
                    retrying(lambda: r_out.lpush(output_q, *results))
                done = retrying(lambda: ack(keys=[processing, registry, failed_q, attempts_h], args=[token, *entries]))
            if done != -2 or stopping:
                break
            print(f"consumer: {failed_q} is not a list: rename or delete it; holding the batch until then", flush=True)
            time.sleep(10)
        if done == -1:
            print(f"consumer: batch {token} is no longer mine (requeued while I held it); nothing pushed", flush=True)
        elif done != -2:
            pause = FAIL_PAUSE_SECONDS
    print("consumer: stopping (SIGTERM)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
