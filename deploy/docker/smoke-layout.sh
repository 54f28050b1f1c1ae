#!/usr/bin/env bash
# What can be proven of the master image without a container engine: the file layout the
# Dockerfile assembles runs. Same steps as its stages (stage-app.sh, then `npm ci --omit=dev
# --workspace=master` beside it) into a temp directory, then, as an unprivileged user with the
# app owned by root: the keys tool, `serve`, the HEALTHCHECK script, /readyz and /metrics.
# Not covered: the base image, apt, file ownership inside the image, the slave target.
#   bash deploy/docker/smoke-layout.sh        (from anywhere; builds first if dist/ is missing)
set -euo pipefail
cd "$(dirname "$0")/../.."

[[ -f master/dist/bin.js ]] || npm run build

tmp=$(mktemp -d /tmp/ncod-smoke.XXXXXX)
server=""
cleanup() {
  if [[ -n "$server" ]]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

app=$tmp/app
bash deploy/docker/stage-app.sh "$app" core sql master web admin
cp deploy/docker/healthcheck.mjs "$app/healthcheck.mjs"
(cd "$app" && npm ci --omit=dev --no-audit --no-fund --workspace=master --loglevel=error >/dev/null)
if [[ -e $app/node_modules/typescript || -e $app/master/src ]]; then
  echo "smoke: dev dependencies or sources in the runtime tree" >&2
  exit 1
fi
echo "smoke: runtime tree $(du -sh "$app" | cut -f1), without sources or dev dependencies"

# like the image: the app belongs to root, the server runs as a user who owns only its data
run_as=()
if [[ $(id -u) -eq 0 ]]; then
  chmod 0755 "$tmp"
  install -d -o nobody -m 0700 "$tmp/data" "$tmp/keys"
  run_as=(runuser -u nobody --)
else
  install -d -m 0700 "$tmp/data" "$tmp/keys"
fi
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
token=smoke-metrics-token-0123456789
env_vars=(NODE_ENV=production NCOD_DATA_DIR="$tmp/data" NCOD_KEYS_DIR="$tmp/keys" NCOD_HOST=127.0.0.1
  NCOD_PORT="$port" NCOD_METRICS_TOKEN="$token" NCOD_LOG_LEVEL=warning)

"${run_as[@]}" env "${env_vars[@]}" node "$app/master/dist/bin.js" keys --dir "$tmp/keys" --hostname master >/dev/null
for f in server.crt server.key ca.crt jwt-signing.jwk.json jwt-verify.jwk.json; do
  [[ -s "$tmp/keys/$f" ]] || { echo "smoke: keys tool wrote no $f" >&2; exit 1; }
done

# no DATABASE_URL: the embedded database, so the check needs no server and leaves nothing behind
(cd / && exec "${run_as[@]}" env "${env_vars[@]}" node "$app/master/dist/bin.js" serve) >"$tmp/serve.log" 2>&1 &
server=$!

healthy=""
for _ in $(seq 1 120); do
  if env NCOD_PORT="$port" node "$app/healthcheck.mjs" 2>/dev/null; then healthy=1; break; fi
  kill -0 "$server" 2>/dev/null || break
  sleep 0.5
done
if [[ -z "$healthy" ]]; then
  echo "smoke: the master never became healthy; its log:" >&2
  tail -n 30 "$tmp/serve.log" >&2
  exit 1
fi

code() { curl -s -o /dev/null -w '%{http_code}' --max-time 30 --cacert "$tmp/keys/ca.crt" "$@"; }
ready=$(code "https://localhost:$port/readyz")
metrics=$(code -H "Authorization: Bearer $token" "https://localhost:$port/metrics")
unauthorized=$(code "https://localhost:$port/metrics")
echo "smoke: healthcheck.mjs ok, /readyz $ready, /metrics $metrics with the token, $unauthorized without"
[[ $ready == 200 && $metrics == 200 && $unauthorized == 401 ]]

# the portal and admin bundles sit beside master/ in the image, where the master looks for them
for bundle in web:/ admin:/admin/; do
  ws=${bundle%%:*}
  if [[ -f $app/$ws/dist/index.html ]]; then
    served=$(code "https://localhost:$port${bundle#*:}")
    echo "smoke: $ws bundle served: $served"
    [[ $served == 200 ]]
  else
    echo "smoke: $ws/dist not built: its serving is not checked"
  fi
done

# a stopped master makes the HEALTHCHECK fail
kill -TERM "$server"; wait "$server" 2>/dev/null || true; server=""
if env NCOD_PORT="$port" node "$app/healthcheck.mjs" 2>/dev/null; then
  echo "smoke: healthcheck.mjs passed with the master stopped" >&2
  exit 1
fi
echo "smoke: healthcheck.mjs fails once the master is stopped: ok"
