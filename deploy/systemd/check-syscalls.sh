#!/usr/bin/env bash
# Proves ncod-master.service's SystemCallFilter lets the master run: traces a real master (keys,
# start, /readyz, /metrics, a sign-in, shutdown) with strace and fails if it made a system call
# the unit's filter does not allow. systemd-analyze verify cannot see this: a filtered call kills
# or fails the service only when it is made.
# Not covered: the embedded database stands in for PostgreSQL (the `pg` client only adds network
# calls, all in @network-io), and this host's Node version stands in for the one in production.
#   bash deploy/systemd/check-syscalls.sh        (needs strace, systemd-analyze, curl)
set -euo pipefail
cd "$(dirname "$0")/../.."
unit=deploy/systemd/ncod-master.service

[[ -f master/dist/bin.js ]] || npm run build

tmp=$(mktemp -d /tmp/ncod-syscalls.XXXXXX)
tracer=""
node_pid=""
cleanup() {
  if [[ -n "$node_pid" ]]; then kill -TERM "$node_pid" 2>/dev/null || true; fi
  if [[ -n "$tracer" ]]; then wait "$tracer" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# --- what the unit allows: its SystemCallFilter= lines, groups expanded -------------------------
declare -A allowed=()
declare -A expanded=()
expand() {
  local item=$1 member
  if [[ $item != @* ]]; then allowed[$item]=1; return; fi
  [[ -n ${expanded[$item]:-} ]] && return
  expanded[$item]=1
  while read -r member; do
    [[ -z $member || $member == \#* || $member == "$item" ]] && continue
    expand "$member"
  done < <(systemd-analyze syscall-filter "$item" | sed 's/^ *//')
}
while read -r line; do
  [[ $line == ~* ]] && { echo "check-syscalls: deny lists (~) are not supported here" >&2; exit 2; }
  for item in $line; do expand "$item"; done
done < <(sed -n 's/^SystemCallFilter=//p' "$unit")
echo "check-syscalls: the unit allows ${#allowed[@]} system calls"

# --- what the master uses ----------------------------------------------------------------------
install -d -m 0700 "$tmp/data" "$tmp/keys"
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
export NODE_ENV=production NCOD_DATA_DIR="$tmp/data" NCOD_KEYS_DIR="$tmp/keys" NCOD_HOST=127.0.0.1 \
  NCOD_PORT="$port" NCOD_METRICS_TOKEN=syscalls-check-token-0123456789 NCOD_LOG_LEVEL=warning
strace -f -qq -o "$tmp/keys.trace" node master/dist/bin.js keys --dir "$tmp/keys" >/dev/null
strace -f -qq -o "$tmp/serve.trace" node master/dist/bin.js serve >"$tmp/serve.log" 2>&1 &
tracer=$!
for _ in $(seq 1 50); do
  node_pid=$(pgrep -P "$tracer" || true)
  [[ -n $node_pid ]] && break
  sleep 0.1
done
[[ -n $node_pid ]] || { echo "check-syscalls: the master did not start under strace" >&2; exit 1; }

base="https://localhost:$port"
# --max-time: a request that arrives just as the master opens its port can go unanswered; retry
ready=""
for _ in $(seq 1 120); do
  if curl -sf -o /dev/null --max-time 10 --cacert "$tmp/keys/ca.crt" "$base/readyz"; then ready=1; break; fi
  kill -0 "$node_pid" 2>/dev/null || break
  sleep 0.5
done
[[ -n $ready ]] || { echo "check-syscalls: the master never became ready:" >&2; tail -n 20 "$tmp/serve.log" >&2; exit 1; }
curl -sf -o /dev/null --max-time 30 --cacert "$tmp/keys/ca.crt" -H "Authorization: Bearer $NCOD_METRICS_TOKEN" "$base/metrics"
curl -s -o /dev/null --max-time 30 --cacert "$tmp/keys/ca.crt" -H 'content-type: application/json' \
  -d '{"username":"nobody","password":"not the password"}' "$base/api/v1/auth/login"
kill -TERM "$node_pid"
wait "$tracer" || true
node_pid=""
tracer=""

mapfile -t used < <(cat "$tmp/keys.trace" "$tmp/serve.trace" | sed -nE 's/^[0-9]+ +([a-z0-9_]+)\(.*/\1/p' | sort -u)
denied=()
for call in "${used[@]}"; do
  [[ -n ${allowed[$call]:-} ]] || denied+=("$call")
done
echo "check-syscalls: the master made ${#used[@]} distinct system calls"
if ((${#denied[@]})); then
  echo "check-syscalls: not allowed by $unit: ${denied[*]}" >&2
  exit 1
fi
echo "check-syscalls: every one is allowed"
