#!/bin/sh
# An upstream-style consumer (the skill's pattern: pop, compute, push), for the tests and the
# bench: the same batches and the same awk as the reliable shell-square template, but the
# batch it popped lives only in this process. Killed between pop and push, it is lost.
set -u
fail() { echo "consumer: $*" >&2; exit 1; }
OUTPUT_QUEUE=${OUTPUT_QUEUE:-$INPUT_QUEUE:output}
IDLE_SECONDS=${IDLE_SECONDS:-5}
BATCH=${BATCH:-1000}
whole_url() { printf '%s' "$1" | sed -E 's#^(rediss?://):#\1default:#'; }
IN_URL=$(whole_url "$INPUT_REDIS_URL")
OUT_URL=$(whole_url "${OUTPUT_REDIS_URL:-$INPUT_REDIS_URL}")
rcli() { redis-cli --no-auth-warning -u "$@" 2>&1; }
stop=0
trap 'stop=1' TERM INT
idle=0
set -f
while [ "$stop" = 0 ]; do
  reply=$(rcli "$IN_URL" BLMPOP 1 1 "$INPUT_QUEUE" RIGHT COUNT "$BATCH") || fail "$reply"
  results=$(printf '%s\n' "$reply" | awk -v q="$INPUT_QUEUE" '
    NR == 1 { if ($0 != q && $0 != "") { print "input Redis answered: " $0; exit 3 } next }
    /^[-+]?[0-9]+$/ { printf "%s:%.0f\n", $0, $0 * $0; next }
    { v = $0; gsub(/[ \t]/, "_", v); printf "%s:NaN\n", v }') || fail "$results"
  if [ -z "$results" ]; then
    idle=$((idle + 1))
    [ "$idle" -ge "$IDLE_SECONDS" ] && exit 0
    continue
  fi
  idle=0
  # shellcheck disable=SC2086
  out=$(rcli "$OUT_URL" LPUSH "$OUTPUT_QUEUE" $results) || fail "$out"
done
