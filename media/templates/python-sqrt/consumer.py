"""{{TASK_NAME}}: square roots, reliably. Moves up to BATCH numbers at a time from INPUT_QUEUE
into its own processing list, computes "n:sqrt(n)" for each, then pushes the results and
drops the batch in ONE atomic Lua script, so a container killed at any instant leaves every
item either still queued (input or processing list) or done. Exits when the input queue
stays empty for IDLE_SECONDS (GridNode starts it again when new work arrives); on SIGTERM it
finishes the batch it holds first. The convention is in the README ("Reliable consumers")."""
import math
import os
import signal
import sys
import time
import uuid

import redis

BATCH = int(os.environ.get("BATCH", "1000"))
IDLE_SECONDS = int(os.environ.get("IDLE_SECONDS", "5"))

# KEYS: input, processing, registry. ARGV: count, token. A batch still in my list (a reply
# lost, or my predecessor of the same name was killed) goes back to the input first.
# Returns the token, then the items (the same script as the shell template's).
TAKE = """
local input, p, reg = KEYS[1], KEYS[2], KEYS[3]
local old = redis.call("LRANGE", p, 0, -1)
for i = 1, #old, 1000 do redis.call("RPUSH", input, unpack(old, i, math.min(i + 999, #old))) end
redis.call("DEL", p)
local items = redis.call("RPOP", input, tonumber(ARGV[1]))
if not items then redis.call("HDEL", reg, p) return {ARGV[2]} end
for i = 1, #items, 1000 do redis.call("LPUSH", p, unpack(items, i, math.min(i + 999, #items))) end
redis.call("HSET", reg, p, ARGV[2])
table.insert(items, 1, ARGV[2])
return items
"""

# KEYS: processing, registry, output. ARGV: token, results... Only while the batch is still
# mine: a requeue took it otherwise, and the results are dropped (-1).
COMMIT = """
if redis.call("HGET", KEYS[2], KEYS[1]) ~= ARGV[1] then return -1 end
for i = 2, #ARGV, 1000 do redis.call("LPUSH", KEYS[3], unpack(ARGV, i, math.min(i + 999, #ARGV))) end
redis.call("DEL", KEYS[1])
redis.call("HDEL", KEYS[2], KEYS[1])
return #ARGV - 1
"""

# Output on another Redis: results first, then this ack (at least once).
ACK = """
if redis.call("HGET", KEYS[2], KEYS[1]) ~= ARGV[1] then return -1 end
redis.call("DEL", KEYS[1])
redis.call("HDEL", KEYS[2], KEYS[1])
return 1
"""

stopping = False


def on_term(_signum, _frame):
    global stopping
    stopping = True


def result(item: bytes) -> str:
    text = item.decode("utf-8", "replace")
    try:
        n = float(text)
        return f"{text}:{math.sqrt(n)}"
    except ValueError:
        return f"{text}:NaN"


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
    take, commit, ack = r_in.register_script(TAKE), r_in.register_script(COMMIT), r_in.register_script(ACK)
    run_id = uuid.uuid4().hex

    idle_since = time.monotonic()
    seq = 0
    while not stopping and time.monotonic() - idle_since < IDLE_SECONDS:
        seq += 1
        token = f"{run_id}.{seq}"
        reply = take(keys=[input_q, processing, registry], args=[BATCH, token])
        if reply[0].decode() != token:
            raise RuntimeError(f"input Redis answered: {reply[0]!r}")
        items = reply[1:]
        if not items:
            time.sleep(0.2)
            continue
        idle_since = time.monotonic()
        results = [result(i) for i in items]
        if r_out is r_in:
            done = commit(keys=[processing, registry, output_q], args=[token, *results])
        else:
            r_out.lpush(output_q, *results)
            done = ack(keys=[processing, registry], args=[token])
        if done == -1:
            print(f"batch {token} was requeued while I held it; its results were dropped", flush=True)
    print("stopping (SIGTERM)" if stopping else f"{input_q} empty for {IDLE_SECONDS}s, exiting", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
