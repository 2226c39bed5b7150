#!/bin/sh
# {{TASK_NAME}}: squares numbers, reliably. Moves up to $BATCH items at a time from $INPUT_QUEUE
# into its own processing list, computes "n:n*n" for the whole batch in one awk (the work, a
# process of its own), then pushes the results and sets aside the items it could not process
# in ONE atomic Lua script. A container killed at any instant leaves each item either still
# queued (input or processing list), done, or in the failed list with its error.
# It waits for work for as long as it runs (upstream's GridNode never starts a consumer again
# once it exited) and exits only on SIGTERM, after the batch it holds.
# Needs only busybox and redis-cli (gridcore/busybox-redis:local).
set -u

# No EXIT trap: with one, busybox forks twice for every `$(redis-cli ...)` instead of once
# (the happy path's process count is its cost). The watchdog cleans up after a death instead.
cleanup() { [ -z "${WATCHDOG:-}" ] || kill "$WATCHDOG" 2> /dev/null; [ -z "${TMP:-}" ] || rm -rf "$TMP"; }
fail() { echo "consumer: $*" >&2; cleanup; exit 1; }

[ -n "${INPUT_REDIS_URL:-}" ] || fail "INPUT_REDIS_URL is not set"
[ -n "${INPUT_QUEUE:-}" ] || fail "INPUT_QUEUE is not set"
OUTPUT_QUEUE=${OUTPUT_QUEUE:-$INPUT_QUEUE:output}
BATCH=${BATCH:-1000}
# The work on one batch is killed past this many seconds: a hung item is then found like a
# crashing one.
BATCH_SECONDS=${BATCH_SECONDS:-300}
# An item recovered this many times from a consumer that died holding it is set aside.
MAX_KILLS=${MAX_KILLS:-3}
# When more than this share (a whole percent) of the recent items fails, nothing more is set
# aside: the batch goes back to the input and the consumer pauses (a wrong password, an API down).
FAIL_PERCENT=${FAIL_PERCENT:-50}
FAIL_PAUSE_SECONDS=${FAIL_PAUSE_SECONDS:-10}

# The per-item work, one awk for a whole batch: one line out per item, in order: the result,
# or a TAB then the error text to set the item aside in the failed list. Replace it with yours
# (results are passed as words: no spaces in them).
WORK='
/^[-+]?[0-9]+$/ { printf "%s:%.0f\n", $0, $0 * $0; next }
/^[-+]?[0-9]*\.[0-9]+$/ { printf "%s:%.15g\n", $0, $0 * $0; next }
{ v = $0; gsub(/[ \t]/, "_", v); printf "%s:NaN\n", v }'

# The reliable-consumer convention (README, "Reliable consumers"): my processing list, the
# hash where in-flight lists are announced (field: list name, value: the batch's token), the
# failed list and the hash counting items recovered from dead consumers.
PROCESSING="$INPUT_QUEUE:processing:${NODE_ID:-local}:${INSTANCE_ID:-0}"
REGISTRY="$INPUT_QUEUE:processing"
FAILED="$INPUT_QUEUE:failed"
ATTEMPTS="$INPUT_QUEUE:attempts"
# A token per batch, unique across container runs: a consumer paused across a requeue finds
# another token (or none) at commit time and pushes nothing.
RUN_ID=$(cat /proc/sys/kernel/random/uuid 2>/dev/null || od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
seq=0
TAB=$(printf '\t')
NL='
'
TMP=$(mktemp -d 2>/dev/null) || { TMP=/tmp/consumer.$$; mkdir -p "$TMP"; }

# The URLs are used whole (password, db, TLS, options). One spelling only is rewritten:
# redis-cli 7.0 sends `redis://:pw@host` as user "" and fails; `default` is the same user.
whole_url() { printf '%s' "$1" | sed -E 's#^(rediss?://):#\1default:#'; }
IN_URL=$(whole_url "$INPUT_REDIS_URL")
OUT_URL=$(whole_url "${OUTPUT_REDIS_URL:-$INPUT_REDIS_URL}")

# Runs redis-cli into $out, again while Redis is away (a restart): every script here is safe
# to run twice (a commit whose reply was lost answers -1 the second time). redis-cli is the
# substitution's only command, so busybox runs it in the substitution's own process.
call() {
  local i=0
  while :; do
    out=$(redis-cli --no-auth-warning -u "$@" 2>&1)
    case "$out" in
      "Could not connect"*|"Error: "*|LOADING*|"ERR LOADING"*) ;;
      *) return 0 ;;
    esac
    i=$((i + 1))
    [ "$i" -lt 240 ] || fail "cannot reach Redis: $out"
    # Said once, so a wrong host or password shows in the log at once, not after two minutes.
    [ "$i" -gt 1 ] || echo "consumer: Redis does not answer ($out); trying again for up to 120 s" >&2
    sleep 0.5
  done
}

# KEYS: input, processing, registry, attempts. ARGV: count, token, max kills. Returns the
# token, the batch's size b, the killed count, the b items, then the items recovered MAX_KILLS
# times (to set aside unworked): see the README for the shrinking batches.
TAKE='
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
return batch'

# KEYS: processing, registry, output, failed, attempts. ARGV: token, r, r results, failed
# entries. Only while the batch is still mine (-1 otherwise); -2: the failed key is no list.
COMMIT='
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
return r'

# Output on another Redis: results first, then this ack with the failed entries.
ACK='
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
return 1'

# KEYS: input, processing, registry. ARGV: token. Gives my batch back to the input unworked.
RELEASE='
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
return #items'

# reap PID: waits for the work, its status in $st. A SIGTERM (trapped: stop=1) interrupts
# `wait` while the work still runs; wait again then.
reap() {
  while :; do
    wait "$1"
    st=$?
    [ "$st" -gt 128 ] && kill -0 "$1" 2> /dev/null || return 0
  done
}

# settle FILE: the work on the items in FILE (one a line); each result goes to $TMP/res, each
# item it rejected or that killed it to $TMP/bad as "error TAB item". When the work dies, what
# it finished is kept, the item it stopped at is tried alone and the rest again (or, when it
# finished nothing, each half): an item fails only when it fails alone or is rejected, never
# for sharing a batch with a bad one.
settle() {
  local f="$1" n d st why k
  [ -s "$f" ] || return 0
  awk "$WORK" < "$f" > "$f.o" 2> "$f.e" &
  echo $! > "$TMP/pid"
  reap $!
  : > "$TMP/pid"
  cat "$f.e" >&2 # still in the container's log; its last lines go with a crash's error
  n=$(wc -l < "$f")
  d=$(wc -l < "$f.o") # whole lines only: a line cut by a kill is no result
  [ "$d" -le "$n" ] || d=$n
  awk -v d="$d" -v res="$TMP/res" -v bad="$TMP/bad" '
    NR == FNR { it[FNR] = $0; next }
    FNR > d { exit }
    substr($0, 1, 1) == "\t" { e = substr($0, 2); gsub(/\t/, " ", e); print e "\t" it[FNR] >> bad; next }
    { print >> res }' "$f" "$f.o"
  [ "$d" -lt "$n" ] || return 0
  case "$st" in
    0) why="the work wrote no line for it" ;;
    137) why="the work was killed (SIGKILL, or past BATCH_SECONDS=$BATCH_SECONDS s)" ;;
    *) why="the work exited with status $st" ;;
  esac
  [ -s "$f.e" ] && why="$why; its last lines: $(tail -n 3 "$f.e" | tr '\t\n' '  ')"
  if [ "$n" = 1 ]; then printf '%s\t%s\n' "$why" "$(cat "$f")" >> "$TMP/bad"; return 0; fi
  tail -n +$((d + 1)) "$f" > "$f.r"
  if [ "$d" -gt 0 ]; then k=1; else k=$(((n + 1) / 2)); fi
  head -n "$k" "$f.r" > "$f.a"
  tail -n +$((k + 1)) "$f.r" > "$f.b"
  settle "$f.a"
  settle "$f.b"
}

# Failed-list entries, one JSON line each, from lines "attempts TAB reason TAB error TAB key
# TAB item" (key: item, or item_b64 for an item that is not plain ASCII: busybox cannot tell
# valid UTF-8).
ENTRY='
BEGIN { FS = "\t"; for (i = 1; i < 32; i++) ctl = ctl sprintf("%c", i) }
function j(s,   o, i, c, k) {
  o = ""
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1); k = index(ctl, c)
    if (c == "\\" || c == "\"") o = o "\\" c
    else if (k) o = o sprintf("\\u%04x", k)
    else o = o c
  }
  return "\"" o "\""
}
{
  item = $0
  for (n = 0; n < 4; n++) item = substr(item, index(item, "\t") + 1)
  printf "{%s:%s,\"error\":%s,\"attempts\":%d,\"task\":%s,\"node_id\":%s,\"instance_id\":%s,\"time\":%s,\"reason\":%s}\n", j($4), j(item), j(substr($3, 1, 2000)), $1, j(ENVIRON["TASK_NAME"]), j(ENVIRON["E_NODE"]), j(ENVIRON["E_INSTANCE"]), j(ENVIRON["E_TIME"]), j($2)
}'

# entries KILLED_ITEMS: writes $TMP/entries for $TMP/bad and the killed items (their attempts
# from the hash).
entries() {
  local killed_items="$1" e i c
  : > "$TMP/e"
  set --
  while IFS= read -r e; do set -- "$@" "${e#*"$TAB"}"; done < "$TMP/bad"
  [ -z "$killed_items" ] || { printf '%s\n' "$killed_items" > "$TMP/k"; while IFS= read -r i; do set -- "$@" "$i"; done < "$TMP/k"; }
  call "$IN_URL" HMGET "$ATTEMPTS" "$@"
  printf '%s\n' "$out" > "$TMP/c"
  exec 3< "$TMP/c"
  while IFS= read -r e; do
    IFS= read -r c <&3
    i=${e#*"$TAB"}
    printf '%s\terror\t%s\t%s\n' "$((${c:-0} + 1))" "${e%%"$TAB"*}" "$(key_item "$i")" >> "$TMP/e"
  done < "$TMP/bad"
  if [ -n "$killed_items" ]; then
    while IFS= read -r i; do
      IFS= read -r c <&3
      printf '%s\tkilled\tkilled its consumer %s times\t%s\n' "${c:-0}" "${c:-0}" "$(key_item "$i")" >> "$TMP/e"
    done < "$TMP/k"
  fi
  exec 3<&-
  E_NODE="${NODE_ID:-local}" E_INSTANCE="${INSTANCE_ID:-0}" E_TIME=$(date -u +%Y-%m-%dT%H:%M:%SZ) awk "$ENTRY" "$TMP/e" > "$TMP/entries"
}

# "item TAB text", or "item_b64 TAB base64" for an item with bytes outside printable ASCII.
key_item() {
  case "$1" in
    *[!\ -~]*) printf 'item_b64\t%s' "$(printf '%s' "$1" | base64 | tr -d '\n')" ;;
    *) printf 'item\t%s' "$1" ;;
  esac
}

# One watchdog for the consumer's life, cheaper than a `timeout` process per batch: it kills
# the work (its pid in $TMP/pid, cleared after each batch) once it has seen the same one for
# BATCH_SECONDS. It ticks with `read -t 1` on a FIFO nobody writes to, not `sleep 1`: no
# process per second beside the batches (busybox has no builtin sleep).
watchdog() {
  local last='' n=0 pid tick
  if mkfifo "$TMP/tick" 2> /dev/null && exec 4<> "$TMP/tick"; then tick='read -t 1 _ <&4'; else tick='sleep 1'; fi
  while eval "$tick" || :; do
    # The consumer was killed (or exited on an error): no orphan, no scratch folder left behind.
    kill -0 $$ 2> /dev/null || { rm -rf "$TMP"; exit 0; }
    pid=
    read -r pid < "$TMP/pid" 2> /dev/null
    if [ -n "$pid" ] && [ "$pid" = "$last" ]; then n=$((n + 1)); else n=0; last=$pid; fi
    [ "$n" -lt "$BATCH_SECONDS" ] || { kill -9 "$pid" 2> /dev/null; n=0; }
  done
}
: > "$TMP/pid"
watchdog &
WATCHDOG=$!

stop=0
trap 'stop=1' TERM INT
idle=0
pause=$FAIL_PAUSE_SECONDS
seen=0
seen_bad=0
set -f # results are passed as words: no globbing
while [ "$stop" = 0 ]; do
  seq=$((seq + 1))
  token="$RUN_ID.$seq"
  call "$IN_URL" EVAL "$TAKE" 4 "$INPUT_QUEUE" "$PROCESSING" "$REGISTRY" "$ATTEMPTS" "$BATCH" "$token" "$MAX_KILLS"
  case "$out" in "$token$NL"*) ;; *) fail "input Redis answered: $out" ;; esac
  rest=${out#*"$NL"}
  size=${rest%%"$NL"*}
  rest=${rest#*"$NL"}
  killed=${rest%%"$NL"*}
  if [ "$size" = 0 ] && [ "$killed" = 0 ]; then
    # Wait for work for as long as we run: upstream's nodes never start us again.
    idle=$((idle + 1))
    if [ "$idle" -lt 25 ]; then sleep 0.2; else sleep 1; fi
    continue
  fi
  idle=0
  items=${rest#*"$NL"}
  killed_items=
  if [ "$killed" != 0 ]; then
    printf '%s\n' "$items" > "$TMP/all"
    killed_items=$(tail -n "$killed" "$TMP/all")
    items=$(head -n "$size" "$TMP/all")
  fi
  results=
  bad=0
  if [ "$size" != 0 ]; then
    # One awk per batch, a process of its own: its crash costs this batch's work, not me.
    # Its pid goes to the watchdog; the batch is over when the command substitution is. The
    # items go through a file (printf is a builtin), not a pipe: one process fewer per batch.
    printf '%s\n' "$items" > "$TMP/in"
    results=$(awk "$WORK" < "$TMP/in" & echo $! > "$TMP/pid"; wait $!)
    st=$?
    : > "$TMP/pid"
    case "$st:$results" in
      0:*"$TAB"*|[!0]*)
        printf '%s\n' "$items" > "$TMP/b"
        : > "$TMP/res"
        : > "$TMP/bad"
        settle "$TMP/b"
        results=$(cat "$TMP/res")
        bad=$(wc -l < "$TMP/bad")
        ;;
    esac
  fi
  if [ "$bad" -gt 0 ]; then
    errors=$((bad + seen_bad))
    if [ "$errors" -ge 10 ] && [ $((errors * 100)) -gt $((FAIL_PERCENT * (size + seen))) ]; then
      echo "consumer: $bad of $size items failed ($seen_bad of the $seen before), more than FAIL_PERCENT=$FAIL_PERCENT%: setting none aside, the batch goes back to the input; trying again in $pause s. First error: $(head -n 1 "$TMP/bad" | cut -f 1)"
      call "$IN_URL" EVAL "$RELEASE" 3 "$INPUT_QUEUE" "$PROCESSING" "$REGISTRY" "$token"
      sleep "$pause"
      pause=$((pause * 2 > 300 ? 300 : pause * 2))
      continue
    fi
  fi
  seen=$((seen + size))
  seen_bad=$((seen_bad + bad))
  [ "$seen" -le $((BATCH * 2 + 200)) ] || { seen=$((seen / 2)); seen_bad=$((seen_bad / 2)); }
  # shellcheck disable=SC2086
  if [ "$OUT_URL" = "$IN_URL" ]; then set -- $results; else set --; fi
  nres=$#
  if [ "$bad" -gt 0 ] || [ -n "$killed_items" ]; then
    [ "$bad" -gt 0 ] || : > "$TMP/bad"
    entries "$killed_items"
    while IFS= read -r e; do set -- "$@" "$e"; done < "$TMP/entries"
  fi
  if [ "$OUT_URL" != "$IN_URL" ] && [ -n "$results" ]; then
    # shellcheck disable=SC2086
    call "$OUT_URL" LPUSH "$OUTPUT_QUEUE" $results
    case "$out" in ''|*[!0-9]*) fail "output Redis answered: $out" ;; esac
  fi
  while :; do
    if [ "$OUT_URL" = "$IN_URL" ]; then
      call "$IN_URL" EVAL "$COMMIT" 5 "$PROCESSING" "$REGISTRY" "$OUTPUT_QUEUE" "$FAILED" "$ATTEMPTS" "$token" "$nres" "$@"
    else
      call "$IN_URL" EVAL "$ACK" 4 "$PROCESSING" "$REGISTRY" "$FAILED" "$ATTEMPTS" "$token" "$@"
    fi
    [ "$out" = -2 ] && [ "$stop" = 0 ] || break
    echo "consumer: $FAILED is not a list: rename or delete it; holding the batch until then"
    sleep 10
  done
  case "$out" in
    -1) echo "consumer: batch $token is no longer mine (requeued while I held it); nothing pushed" ;;
    -2) ;;
    ''|*[!0-9]*) fail "Redis answered: $out" ;;
    *) pause=$FAIL_PAUSE_SECONDS ;;
  esac
done
cleanup
echo "consumer: stopping (SIGTERM) with no batch held"
