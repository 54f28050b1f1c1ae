#!/usr/bin/env bash
# Runs once, when the official image initialises an empty data directory: the master gets its
# own login role owning its own database, not the superuser. The password comes from the
# environment (NCOD_DB_PASSWORD in .env), never from this file.
set -euo pipefail

: "${NCOD_DB_PASSWORD:?NCOD_DB_PASSWORD is not set}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v password="$NCOD_DB_PASSWORD" <<'SQL'
CREATE ROLE ncod LOGIN PASSWORD :'password';
CREATE DATABASE ncod OWNER ncod;
REVOKE ALL ON DATABASE ncod FROM PUBLIC;
SQL
