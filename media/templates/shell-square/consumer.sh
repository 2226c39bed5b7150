#!/bin/sh
# {{TASK_NAME}}: squares numbers, reliably. Moves up to $BATCH items at a time from $INPUT_QUEUE
# into its own processing list, computes "n:n*n" for the whole batch in one awk, then pushes
# the results and drops the batch in ONE atomic Lua script. A container killed at any
# instant leaves each item either still queued (input or processing list) or done.
# Exits once the input stays empty for $IDLE_SECONDS (default 5); on SIGTERM it finishes the
# batch it holds first. Needs only busybox and redis-cli (gridcore/busybox-redis:local).
set -u

fail() { echo "consumer: $*" >&2; exit 1; }

[ -n "${INPUT_REDIS_URL:-}" ] || fail "INPUT_REDIS_URL is not set"
[ -n "${INPUT_QUEUE:-}" ] || fail "INPUT_QUEUE is not set"
OUTPUT_QUEUE=${OUTPUT_QUEUE:-$INPUT_QUEUE:output}
IDLE_SECONDS=${IDLE_SECONDS:-5}
BATCH=${BATCH:-1000}

# The reliable-consumer convention (README, "Reliable consumers"): my processing list, and
# the hash where in-flight lists are announced (field: list name, value: the batch's token).
PROCESSING="$INPUT_QUEUE:processing:${NODE_ID:-local}:${INSTANCE_ID:-0}"
REGISTRY="$INPUT_QUEUE:processing"
# A token per batch, unique across container runs: a consumer paused across a requeue finds
# another token (or none) at commit time and pushes nothing.
RUN_ID=$(cat /proc/sys/kernel/random/uuid 2>/dev/null || od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
seq=0

# The URLs are used whole (password, db, TLS, options). One spelling only is rewritten:
# redis-cli 7.0 sends `redis://:pw@host` as user "" and fails; `default` is the same user.
whole_url() { printf '%s' "$1" | sed -E 's#^(rediss?://):#\1default:#'; }
IN_URL=$(whole_url "$INPUT_REDIS_URL")
OUT_URL=$(whole_url "${OUTPUT_REDIS_URL:-$INPUT_REDIS_URL}")

rcli() { redis-cli --no-auth-warning -u "$@" 2>&1; }

# KEYS: input, processing, registry. ARGV: count, token. A batch still in my list (a reply
# lost on the way, or my predecessor of the same name was killed) goes back to the input
# first, at the end it is popped from; then up to `count` items move in. Returns the token
# then the items, so an error text can never pass for an item.
TAKE='
local input, p, reg = KEYS[1], KEYS[2], KEYS[3]
local old = redis.call("LRANGE", p, 0, -1)
for i = 1, #old, 1000 do redis.call("RPUSH", input, unpack(old, i, math.min(i + 999, #old))) end
redis.call("DEL", p)
local items = redis.call("RPOP", input, tonumber(ARGV[1]))
if not items then redis.call("HDEL", reg, p) return {ARGV[2]} end
for i = 1, #items, 1000 do redis.call("LPUSH", p, unpack(items, i, math.min(i + 999, #items))) end
redis.call("HSET", reg, p, ARGV[2])
table.insert(items, 1, ARGV[2])
return items'

# KEYS: processing, registry, output. ARGV: token, results... Pushes the results and drops
# the batch at once, only while the batch is still mine (a requeue took it otherwise: -1).
COMMIT='
if redis.call("HGET", KEYS[2], KEYS[1]) ~= ARGV[1] then return -1 end
for i = 2, #ARGV, 1000 do redis.call("LPUSH", KEYS[3], unpack(ARGV, i, math.min(i + 999, #ARGV))) end
redis.call("DEL", KEYS[1])
redis.call("HDEL", KEYS[2], KEYS[1])
return #ARGV - 1'

# Output on another Redis: results first, then this ack (at least once, see the README).
ACK='
if redis.call("HGET", KEYS[2], KEYS[1]) ~= ARGV[1] then return -1 end
redis.call("DEL", KEYS[1])
redis.call("HDEL", KEYS[2], KEYS[1])
return 1'

stop=0
trap 'stop=1' TERM INT
idle=0
set -f # results are passed as words: no globbing
while [ "$stop" = 0 ]; do
  seq=$((seq + 1))
  token="$RUN_ID.$seq"
  reply=$(rcli "$IN_URL" EVAL "$TAKE" 3 "$INPUT_QUEUE" "$PROCESSING" "$REGISTRY" "$BATCH" "$token") || fail "cannot reach the input Redis: $reply"
  # One awk per batch: checks the token line, then one result per item.
  results=$(printf '%s\n' "$reply" | awk -v tok="$token" '
    NR == 1 { if ($0 != tok) { print "input Redis answered: " $0; exit 3 } next }
    /^[-+]?[0-9]+$/ { printf "%s:%.0f\n", $0, $0 * $0; next }
    /^[-+]?[0-9]*\.[0-9]+$/ { printf "%s:%.15g\n", $0, $0 * $0; next }
    { v = $0; gsub(/[ \t]/, "_", v); printf "%s:NaN\n", v }') || fail "$results"
  if [ -z "$results" ]; then
    idle=$((idle + 1))
    [ "$idle" -ge $((IDLE_SECONDS * 5)) ] && { echo "consumer: input empty for ${IDLE_SECONDS}s, exiting"; exit 0; }
    sleep 0.2
    continue
  fi
  idle=0
  if [ "$OUT_URL" = "$IN_URL" ]; then
    # shellcheck disable=SC2086
    out=$(rcli "$IN_URL" EVAL "$COMMIT" 3 "$PROCESSING" "$REGISTRY" "$OUTPUT_QUEUE" "$token" $results) || fail "cannot reach Redis: $out"
  else
    # shellcheck disable=SC2086
    out=$(rcli "$OUT_URL" LPUSH "$OUTPUT_QUEUE" $results) || fail "cannot reach the output Redis: $out"
    case "$out" in ''|*[!0-9]*) fail "output Redis answered: $out" ;; esac
    out=$(rcli "$IN_URL" EVAL "$ACK" 2 "$PROCESSING" "$REGISTRY" "$token") || fail "cannot reach the input Redis: $out"
  fi
  case "$out" in
    -1) echo "consumer: batch $token was requeued while I held it; its results were dropped" ;;
    ''|*[!0-9]*) fail "Redis answered: $out" ;;
  esac
done
echo "consumer: stopping (SIGTERM) with no batch held"
