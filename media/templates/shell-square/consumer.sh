#!/bin/sh
# {{TASK_NAME}}: squares numbers. Pops up to 100 items at a time from $INPUT_QUEUE and pushes
# "n:n*n" for each to $OUTPUT_QUEUE in one LPUSH; exits once the input stays empty for
# $IDLE_SECONDS (default 5). Needs only busybox and redis-cli (gridcore/busybox-redis:local).
set -u

fail() { echo "consumer: $*" >&2; exit 1; }

[ -n "${INPUT_REDIS_URL:-}" ] || fail "INPUT_REDIS_URL is not set"
[ -n "${INPUT_QUEUE:-}" ] || fail "INPUT_QUEUE is not set"
OUTPUT_QUEUE=${OUTPUT_QUEUE:-$INPUT_QUEUE:output}
IDLE_SECONDS=${IDLE_SECONDS:-5}
BATCH=${BATCH:-100}

# The URLs are used whole (password, db, TLS, options). One spelling only is rewritten:
# redis-cli 7.0 sends `redis://:pw@host` as user "" and fails; `default` is the same user.
whole_url() { printf '%s' "$1" | sed -E 's#^(rediss?://):#\1default:#'; }
IN_URL=$(whole_url "$INPUT_REDIS_URL")
OUT_URL=$(whole_url "${OUTPUT_REDIS_URL:-$INPUT_REDIS_URL}")

rcli() { redis-cli --no-auth-warning -u "$@" 2>&1; }

idle=0
set -f # results are passed as words: no globbing
while :; do
  # first line: the queue name; then the items; an empty line when the queue stayed empty
  reply=$(rcli "$IN_URL" BLMPOP 1 1 "$INPUT_QUEUE" RIGHT COUNT "$BATCH") || fail "cannot reach the input Redis: $reply"
  first=$(printf '%s\n' "$reply" | head -n 1)
  if [ -z "$first" ]; then
    idle=$((idle + 1))
    [ "$idle" -ge "$IDLE_SECONDS" ] && { echo "consumer: input empty for ${IDLE_SECONDS}s, exiting"; exit 0; }
    continue
  fi
  [ "$first" = "$INPUT_QUEUE" ] || fail "input Redis answered: $first"
  idle=0
  results=$(printf '%s\n' "$reply" | sed 1d | awk '
    /^[-+]?[0-9]+$/ { printf "%s:%.0f\n", $0, $0 * $0; next }
    /^[-+]?[0-9]*\.[0-9]+$/ { printf "%s:%.15g\n", $0, $0 * $0; next }
    { v = $0; gsub(/[ \t]/, "_", v); printf "%s:NaN\n", v }')
  # one round trip for the whole batch
  # shellcheck disable=SC2086
  out=$(rcli "$OUT_URL" LPUSH "$OUTPUT_QUEUE" $results) || fail "cannot reach the output Redis: $out"
  case "$out" in
    ''|*[!0-9]*) fail "output Redis answered: $out" ;;
  esac
done
