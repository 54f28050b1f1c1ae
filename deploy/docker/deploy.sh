#!/usr/bin/env bash
# Rolls a compose installation forward to an image version: pull, recreate what changed, reload
# Prometheus's rules, and wait until the master is healthy and ready. The master applies
# pending migrations when it starts (NCOD_MIGRATE_ON_START), and migrations only go forward: to
# undo a release that migrated, restore the database to the restore point printed below
# (docs/operations/backup.md, point-in-time recovery) and deploy the previous version.
#   deploy.sh VERSION             run in (or with NCOD_COMPOSE_DIR set to) the installation's
#                                 deploy/docker directory, which holds .env, keys/ and secrets/
# COMPOSE overrides the compose command (default "docker compose"; "docker-compose" for v1).
set -euo pipefail

version=${1:?usage: deploy.sh VERSION}
cd "${NCOD_COMPOSE_DIR:-$(dirname "$0")}"
[[ -f .env ]] || { echo "deploy: no .env in $(pwd): not an installation directory" >&2; exit 1; }
read -r -a compose <<<"${COMPOSE:-docker compose}"
export NCOD_VERSION=$version

echo "deploy: restore point before this release: $(date -u '+%Y-%m-%d %H:%M:%S+00')"
"${compose[@]}" pull --quiet master
"${compose[@]}" up -d --remove-orphans
# rules are bind-mounted files: a changed file needs a reload, not a new container
"${compose[@]}" kill -s SIGHUP prometheus || echo "deploy: Prometheus not reloaded (not running?)" >&2

container=$("${compose[@]}" ps -q master)
status=starting
for _ in $(seq 1 60); do
  status=$(docker inspect -f '{{.State.Health.Status}}' "$container" 2>/dev/null || echo missing)
  [[ $status == healthy || $status == unhealthy ]] && break
  sleep 5
done
port=$("${compose[@]}" port master 8443 | sed 's/.*://')
ready=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --cacert keys/ca.crt "https://localhost:${port}/readyz" || true)
if [[ $status != healthy || $ready != 200 ]]; then
  echo "deploy: master $version is $status, /readyz answered $ready; its last log lines:" >&2
  "${compose[@]}" logs --tail 50 master >&2
  exit 1
fi
echo "deploy: master $version healthy and ready"
