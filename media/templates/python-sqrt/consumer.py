"""{{TASK_NAME}}: square roots. Pops numbers from INPUT_QUEUE and pushes "n:sqrt(n)" to
OUTPUT_QUEUE; exits when the input queue stays empty (GridNode starts it again when new
work arrives for the same task)."""
import math
import os
import sys

import redis

BATCH = int(os.environ.get("BATCH", "100"))
IDLE_SECONDS = int(os.environ.get("IDLE_SECONDS", "5"))


def result(item: bytes) -> str:
    text = item.decode("utf-8", "replace")
    try:
        n = float(text)
        return f"{text}:{math.sqrt(n)}"
    except ValueError:
        return f"{text}:NaN"


def main() -> int:
    # The URLs are used whole: password, database, TLS and options all come with them.
    r_in = redis.from_url(os.environ["INPUT_REDIS_URL"])
    r_out = redis.from_url(os.environ.get("OUTPUT_REDIS_URL") or os.environ["INPUT_REDIS_URL"])
    input_q = os.environ["INPUT_QUEUE"]
    output_q = os.environ.get("OUTPUT_QUEUE") or f"{input_q}:output"

    idle = 0
    while idle < IDLE_SECONDS:
        popped = r_in.brpop(input_q, timeout=1)
        if popped is None:
            idle += 1
            continue
        idle = 0
        # take what else is waiting, then push the whole batch in one round trip
        items = [popped[1]] + (r_in.rpop(input_q, BATCH - 1) or [])
        r_out.lpush(output_q, *[result(i) for i in items])
    print(f"{input_q} empty for {IDLE_SECONDS}s, exiting", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
