#!/usr/bin/env bash
# ncod backup drill: proves backup.sh, archive-wal.sh and restore.sh end to end on a throwaway
# PostgreSQL 15 cluster. Self-contained, repeatable, touches no other server.
#
#   deploy/backup/drill.sh            (as root or as the postgres user; ~10 s)
#
# In a fresh temp dir: initdb a cluster on a free 127.0.0.1 port with WAL archiving through
# archive-wal.sh; write rows; backup.sh; write rows; backup.sh again (BACKUP_KEEP=1, so the first
# backup and its WAL are pruned); a backup against a dead port must fail cleanly; write rows;
# mark a timestamp; write rows; switch WAL. Then restore.sh twice, each started on its own free
# port: to the mark (exactly the rows before it) and to the end of WAL (all rows).
# Prints a result table; exits 1 on any mismatch. Always stops its servers and removes its dir
# (DRILL_KEEP=1 keeps the dir for inspection).
# Env: PG_BINDIR (default /usr/lib/postgresql/15/bin), DRILL_TMPDIR (default /tmp).
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
t0=$(date +%s%N)

if [[ $(id -u) -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || { echo "drill: running as root needs a 'postgres' user to own the clusters" >&2; exit 2; }
  AS_PG=(runuser -u postgres --)
elif [[ $(id -un) == postgres ]]; then
  AS_PG=()
else
  echo "drill: run as root or as the postgres user (initdb and postgres refuse root; the drill switches to postgres itself)" >&2
  exit 2
fi
for b in initdb pg_ctl postgres psql pg_basebackup pg_verifybackup pg_archivecleanup pg_controldata; do
  [[ -x $PG_BINDIR/$b ]] || { echo "drill: $PG_BINDIR/$b not found (set PG_BINDIR)" >&2; exit 2; }
done

WORK=$(mktemp -d "${DRILL_TMPDIR:-/tmp}/ncod-backup-drill.XXXXXX")
STARTED=()
cleanup() {
  local rc=$?
  set +e
  for d in "${STARTED[@]}"; do
    [[ -f $d/postmaster.pid ]] && "${AS_PG[@]}" "$PG_BINDIR/pg_ctl" -D "$d" -m immediate -w stop >/dev/null 2>&1
  done
  if [[ $rc -ne 0 ]]; then
    for l in "$WORK"/logs/*.log; do
      [[ -s $l ]] || continue
      echo "--- last lines of ${l##*/} ---" >&2
      tail -n 15 "$l" >&2
    done
  fi
  if [[ ${DRILL_KEEP:-0} == 1 ]]; then
    echo "drill: kept $WORK" >&2
  else
    rm -rf -- "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cd "$WORK"
mkdir -p bin logs archive backups
# The scripts run from a copy the postgres user can reach (the checkout may be under /root).
cp "$HERE/archive-wal.sh" "$HERE/backup.sh" "$HERE/restore.sh" bin/
chmod 0755 bin/*.sh
[[ ${#AS_PG[@]} -eq 0 ]] || chown -R postgres:postgres "$WORK"

step() { printf 'drill: %s\n' "$*"; }
pg() { "${AS_PG[@]}" "$PG_BINDIR/$1" "${@:2}"; }
sql() {
  local port=$1
  shift
  "$PG_BINDIR/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"
}

USED_PORTS=" "
free_port() {
  local p
  for _ in $(seq 1 500); do
    p=$((20000 + RANDOM % 40000))
    [[ $USED_PORTS == *" $p "* ]] && continue
    if ! (: >"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  echo "drill: no free port found" >&2
  return 1
}

start_pg() {
  local dir=$1 port=$2
  STARTED+=("$dir")
  pg pg_ctl -D "$dir" -l "$WORK/logs/${dir##*/}.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$WORK" start >/dev/null
}

wait_promoted() {
  local port=$1
  for _ in $(seq 1 300); do
    [[ $(sql "$port" -c "select pg_is_in_recovery()" 2>/dev/null || true) == f ]] && return 0
    sleep 0.1
  done
  echo "drill: server on port $port did not leave recovery within 30 s" >&2
  return 1
}

wait_archived() {
  local seg=$1
  for _ in $(seq 1 300); do
    [[ -f $WORK/archive/$seg ]] && return 0
    sleep 0.1
  done
  echo "drill: WAL segment $seg was not archived within 30 s" >&2
  return 1
}

status_label() { sed -n 's/.*"label":"\([^"]*\)".*/\1/p' "$WORK/status.json" 2>/dev/null; }

run_backup() { "${AS_PG[@]}" "$WORK/bin/backup.sh" --config "$1" 2>>"$WORK/logs/backup.out"; }

RESULTS=()
passed=0
failed=0
check() {
  local what=$1 expected=$2 actual=$3 verdict=ok
  if [[ $expected == "$actual" ]]; then passed=$((passed + 1)); else verdict=MISMATCH; failed=$((failed + 1)); fi
  RESULTS+=("$(printf '%-40s %-23s %-23s %s' "$what" "$expected" "$actual" "$verdict")")
}

# --- primary -------------------------------------------------------------------------------
P1=$(free_port)
USED_PORTS+="$P1 "
step "initdb throwaway cluster in $WORK (port $P1)"
pg initdb -D "$WORK/primary" -U postgres -A trust -E UTF8 --locale=C -N >"$WORK/logs/initdb.out"
cat >>"$WORK/primary/postgresql.conf" <<EOF
# ncod backup drill
listen_addresses = '127.0.0.1'
port = $P1
unix_socket_directories = '$WORK'
wal_level = replica
archive_mode = on
archive_command = '$WORK/bin/archive-wal.sh %p %f $WORK/archive'
max_wal_senders = 4
EOF
start_pg "$WORK/primary" "$P1"

cat >"$WORK/backup.env" <<EOF
BACKUP_DIR=$WORK/backups
ARCHIVE_DIR=$WORK/archive
STATUS_FILE=$WORK/status.json
BACKUP_KEEP=1
ARCHIVE_WAIT_SECONDS=30
PG_BINDIR=$PG_BINDIR
PGHOST=127.0.0.1
PGPORT=$P1
PGUSER=postgres
RESTORE_OWNER=postgres
EOF
DEAD=$(free_port)
USED_PORTS+="$DEAD "
sed "s/^PGPORT=.*/PGPORT=$DEAD/" "$WORK/backup.env" >"$WORK/dead.env"
chmod 0644 "$WORK"/*.env

insert() { sql "$P1" -c "insert into drill (phase) select '$1' from generate_series(1, $2)"; }
sql "$P1" -c "create table drill (id bigserial primary key, phase text not null, at timestamptz not null default clock_timestamp())"

step "write 100 rows, backup #1"
insert a-before-backup1 100
run_backup "$WORK/backup.env"
label1=$(status_label)
start1=$(sed -n 's/.*"start_wal":"\([^"]*\)".*/\1/p' "$WORK/status.json")

step "write 50 rows, backup #2 (BACKUP_KEEP=1 prunes backup #1 and its WAL)"
insert b-before-backup2 50
run_backup "$WORK/backup.env"
label2=$(status_label)
start2=$(sed -n 's/.*"start_wal":"\([^"]*\)".*/\1/p' "$WORK/status.json")

step "backup against a dead port must fail"
dead_rc=0
"${AS_PG[@]}" "$WORK/bin/backup.sh" --config "$WORK/dead.env" 2>"$WORK/logs/dead.out" || dead_rc=$?
dead_failed_lines=$(grep -c 'ncod-backup: FAILED: ' "$WORK/logs/dead.out" || true)

step "write 25 rows, mark the time, write 40 rows, switch WAL"
insert c-before-mark 25
sleep 0.2
MARK=$(sql "$P1" -c "select now()")
sleep 0.2
insert d-after-mark 40
seg=$(sql "$P1" -c "select pg_walfile_name(pg_current_wal_lsn())")
sql "$P1" -c "select pg_switch_wal()" >/dev/null
wait_archived "$seg"
primary_rows=$(sql "$P1" -c "select count(*) from drill")
pg pg_ctl -D "$WORK/primary" -m fast -w stop >/dev/null

old_wal_left=0
for f in "$WORK"/archive/*; do
  n=${f##*/}
  [[ $n =~ ^[0-9A-F]{24}$ && ${n:8} < ${start2:8} ]] && old_wal_left=$((old_wal_left + 1))
done
backups_left=$(find "$WORK/backups" -mindepth 1 -maxdepth 1 -type d -name 'base-*' | wc -l)
newest=$(find "$WORK/backups" -mindepth 1 -maxdepth 1 -type d -name 'base-*' -printf '%f\n' | sort | tail -n 1)

# --- point-in-time restore ----------------------------------------------------------------
P2=$(free_port)
USED_PORTS+="$P2 "
step "point-in-time restore to $MARK (port $P2)"
"$WORK/bin/restore.sh" --config "$WORK/backup.env" --target-dir "$WORK/pitr" --target-time "$MARK" \
  --archive-mode off 2>"$WORK/logs/restore-pitr.out"
start_pg "$WORK/pitr" "$P2"
wait_promoted "$P2"
pitr_rows=$(sql "$P2" -c "select count(*) from drill")
pitr_after=$(sql "$P2" -c "select count(*) from drill where phase = 'd-after-mark'")
pg pg_ctl -D "$WORK/pitr" -m fast -w stop >/dev/null

# --- full restore ---------------------------------------------------------------------------
P3=$(free_port)
USED_PORTS+="$P3 "
step "full restore to the end of WAL (port $P3)"
"$WORK/bin/restore.sh" --config "$WORK/backup.env" --target-dir "$WORK/full" \
  --archive-mode off 2>"$WORK/logs/restore-full.out"
start_pg "$WORK/full" "$P3"
wait_promoted "$P3"
full_rows=$(sql "$P3" -c "select count(*) from drill")
full_written=$(sql "$P3" -c "insert into drill (phase) values ('e-after-restore') returning 'writable'")
pg pg_ctl -D "$WORK/full" -m fast -w stop >/dev/null

# --- results --------------------------------------------------------------------------------
check "rows on the primary" 215 "$primary_rows"
check "backup #2 recorded in status.json" "$newest" "$label2"
check "backups kept (BACKUP_KEEP=1)" 1 "$backups_left"
check "backup #1 removed" gone "$([[ -n $label1 && ! -e $WORK/backups/$label1 ]] && echo gone || echo present)"
check "archived WAL older than kept backup" 0 "$old_wal_left"
check "backup #1 start segment pruned" gone "$([[ -n $start1 && ! -e $WORK/archive/$start1 ]] && echo gone || echo present)"
check "failing backup: exit status" 1 "$dead_rc"
check "failing backup: one FAILED line" 1 "$dead_failed_lines"
check "failing backup: status.json unchanged" "$label2" "$(status_label)"
check "PITR to mark: rows" 175 "$pitr_rows"
check "PITR to mark: rows written after mark" 0 "$pitr_after"
check "full restore: rows" 215 "$full_rows"
check "full restore: promoted and writable" writable "$full_written"

elapsed=$((($(date +%s%N) - t0) / 1000000))
echo
echo "ncod backup drill: $("$PG_BINDIR/postgres" --version), mark $MARK"
printf '%-40s %-23s %-23s %s\n' CHECK EXPECTED ACTUAL RESULT
printf '%s\n' "${RESULTS[@]}"
printf 'drill finished in %d.%03d s\n' $((elapsed / 1000)) $((elapsed % 1000))
echo "drill: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
