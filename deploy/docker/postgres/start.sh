#!/usr/bin/env bash
# Entrypoint of the compose postgres service, run as root before the image's own entrypoint.
# The backup volume starts out empty and owned by root; archive_command (running as postgres)
# and backup.sh need base/ and wal/ in it, and the master reads status.json from it, so:
# postgres owns everything, base/ and wal/ are private, the top directory is world-readable.
set -euo pipefail

install -d -o postgres -g postgres -m 0755 /var/backups/ncod
install -d -o postgres -g postgres -m 0700 /var/backups/ncod/base /var/backups/ncod/wal

exec docker-entrypoint.sh "$@"
