#!/usr/bin/env bash
# ncod: take a PostgreSQL base backup, verify it, apply retention, record the status.
#
#   backup.sh [--config FILE]        (default /etc/ncod/backup.env, or $NCOD_BACKUP_CONFIG)
#
# 1. pg_basebackup (plain format, WAL streamed into the backup, fast checkpoint) into
#    BACKUP_DIR/.partial-<label>;
# 2. pg_verifybackup against the backup's manifest (files and WAL);
# 3. waits until the backup's last WAL segment is in ARCHIVE_DIR (proves archiving works);
# 4. renames it to BACKUP_DIR/<label> and writes BACKUP_DIR/<label>.info;
# 5. keeps the newest BACKUP_KEEP backups, deletes older ones, and prunes WAL older than the
#    oldest kept backup with pg_archivecleanup;
# 6. rewrites STATUS_FILE (JSON) atomically.
# Any failure: exit 1 and one line "ncod-backup: FAILED: <reason>" on stderr; the status file
# keeps describing the last good backup.
set -euo pipefail
export LC_ALL=C
umask 077

log() { printf '%s ncod-backup: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }

reported=0
fail() {
  log "FAILED: $*"
  reported=1
  exit 1
}

usage() {
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
}

config=${NCOD_BACKUP_CONFIG:-/etc/ncod/backup.env}
config_given=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --config) [[ $# -ge 2 ]] || fail "--config needs a file"; config=$2; config_given=1; shift 2 ;;
    --config=*) config=${1#--config=}; config_given=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) fail "unknown argument '$1' (see --help)" ;;
  esac
done
[[ -n ${NCOD_BACKUP_CONFIG:-} ]] && config_given=1

if [[ -f "$config" ]]; then
  set -a
  # shellcheck source=/dev/null
  . "$config"
  set +a
elif [[ $config_given -eq 1 ]]; then
  fail "config file $config not found"
fi

PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
BACKUP_KEEP=${BACKUP_KEEP:-7}
ARCHIVE_WAIT_SECONDS=${ARCHIVE_WAIT_SECONDS:-120}
BACKUP_MAX_RATE=${BACKUP_MAX_RATE:-}
[[ -n ${BACKUP_DIR:-} ]] || fail "BACKUP_DIR is not set (config $config)"
[[ -n ${ARCHIVE_DIR:-} ]] || fail "ARCHIVE_DIR is not set (config $config)"
STATUS_FILE=${STATUS_FILE:-$(dirname "$BACKUP_DIR")/status.json}
for p in "$BACKUP_DIR" "$ARCHIVE_DIR" "$STATUS_FILE"; do
  [[ $p == /* ]] || fail "$p must be an absolute path"
done
[[ $BACKUP_KEEP =~ ^[0-9]+$ && $BACKUP_KEEP -ge 1 ]] || fail "BACKUP_KEEP must be a whole number >= 1 (got '$BACKUP_KEEP')"
[[ $ARCHIVE_WAIT_SECONDS =~ ^[0-9]+$ ]] || fail "ARCHIVE_WAIT_SECONDS must be a whole number (got '$ARCHIVE_WAIT_SECONDS')"
for b in pg_basebackup pg_verifybackup pg_archivecleanup pg_controldata; do
  [[ -x "$PG_BINDIR/$b" ]] || fail "$PG_BINDIR/$b not found (set PG_BINDIR)"
done
[[ -d "$ARCHIVE_DIR" ]] || fail "WAL archive directory $ARCHIVE_DIR does not exist"

mkdir -p "$BACKUP_DIR" || fail "cannot create $BACKUP_DIR"
exec 9>"$BACKUP_DIR/.lock" || fail "cannot open lock file $BACKUP_DIR/.lock"
flock -n 9 || fail "another backup.sh is running (lock $BACKUP_DIR/.lock)"

step=setup
partial=
errfile=$(mktemp "${TMPDIR:-/tmp}/ncod-backup.XXXXXX")
on_exit() {
  local rc=$?
  [[ -n $partial && -e $partial ]] && rm -rf -- "$partial"
  rm -f -- "$errfile"
  if [[ $rc -ne 0 && $reported -eq 0 ]]; then
    log "FAILED: unexpected error during $step (exit status $rc)"
  fi
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a command, passes its stderr through, and on failure reports its last error line.
run() {
  local what=$1
  shift
  step=$what
  local rc=0
  "$@" 2>"$errfile" || rc=$?
  cat "$errfile" >&2
  [[ $rc -eq 0 ]] && return 0
  local last
  # the tool's own "error:" line says most; otherwise its last line
  last=$(grep -m 1 -iE 'error:|fatal:' "$errfile" || grep -v '^[[:space:]]*$' "$errfile" | tail -n 1 || true)
  last=$(printf '%s' "$last" | tr -s '\t ' '  ' | sed 's/^ //')
  fail "$what exited with status $rc${last:+: $last}"
}

# Start WAL segment of a backup directory, from its backup_label.
start_wal_of() {
  sed -n 's/^START WAL LOCATION: .*(file \([0-9A-F]\{24\}\))$/\1/p' "$1/backup_label" 2>/dev/null | head -n 1
}

json_str() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}

# Stale partial backups from an interrupted run (we hold the lock, so none is in progress).
step=cleanup
for stale in "$BACKUP_DIR"/.partial-*; do
  [[ -e $stale ]] || continue
  log "removing incomplete backup $stale left by an interrupted run"
  rm -rf -- "$stale"
done

label=base-$(date -u +%Y%m%dT%H%M%SZ)
while [[ -e "$BACKUP_DIR/$label" ]]; do
  sleep 0.2
  label=base-$(date -u +%Y%m%dT%H%M%SZ)
done
partial="$BACKUP_DIR/.partial-$label"
started_unix=$(date +%s)
log "starting base backup $label into $BACKUP_DIR"

basebackup_args=(-D "$partial" -Fp -X stream -c fast -l "ncod $label" --no-password)
[[ -n $BACKUP_MAX_RATE ]] && basebackup_args+=(-r "$BACKUP_MAX_RATE")
run pg_basebackup "$PG_BINDIR/pg_basebackup" "${basebackup_args[@]}"
run pg_verifybackup "$PG_BINDIR/pg_verifybackup" -q "$partial"

step=inspect
start_wal=$(start_wal_of "$partial")
[[ $start_wal =~ ^[0-9A-F]{24}$ ]] || fail "cannot read the start WAL segment from $partial/backup_label"
end_lsn=$(grep -o '"End-LSN": *"[0-9A-F]*/[0-9A-F]*"' "$partial/backup_manifest" | tail -n 1 | sed 's/.*"\([0-9A-F]*\/[0-9A-F]*\)"$/\1/')
timeline=$(grep -o '"Timeline": *[0-9]*' "$partial/backup_manifest" | tail -n 1 | sed 's/[^0-9]//g')
seg_size=$("$PG_BINDIR/pg_controldata" "$partial" | sed -n 's/^Bytes per WAL segment: *//p')
[[ $end_lsn =~ ^[0-9A-F]+/[0-9A-F]+$ && $timeline =~ ^[0-9]+$ && $seg_size =~ ^[0-9]+$ && $seg_size -gt 0 ]] ||
  fail "cannot read the end of WAL from $partial/backup_manifest or the segment size from pg_control"
# Segment holding the last byte of the backup's WAL (End-LSN is exclusive).
lsn_hi=$((16#${end_lsn%/*}))
lsn_lo=$((16#${end_lsn#*/}))
last_segno=$((((lsn_hi << 32) + lsn_lo - 1) / seg_size))
segs_per_id=$((0x100000000 / seg_size))
end_wal=$(printf '%08X%08X%08X' "$timeline" $((last_segno / segs_per_id)) $((last_segno % segs_per_id)))

archived=yes
if [[ $ARCHIVE_WAIT_SECONDS -gt 0 ]]; then
  step=archive-wait
  deadline=$(($(date +%s) + ARCHIVE_WAIT_SECONDS))
  until [[ -f "$ARCHIVE_DIR/$end_wal" ]]; do
    if [[ $(date +%s) -ge $deadline ]]; then
      archived=no
      break
    fi
    sleep 0.2
  done
fi

step=finalize
finished_ms=$(date +%s%3N)
finished_unix=$((finished_ms / 1000))
finished_at=$(date -u -d "@$finished_unix" +%Y-%m-%dT%H:%M:%SZ)
size_bytes=$(du -sb "$partial" | cut -f 1)
{
  printf 'label=%s\n' "$label"
  printf 'started_unix=%s\n' "$started_unix"
  printf 'finished_unix=%s\n' "$finished_unix"
  printf 'finished_ms=%s\n' "$finished_ms"
  printf 'finished_at=%s\n' "$finished_at"
  printf 'start_wal=%s\n' "$start_wal"
  printf 'end_wal=%s\n' "$end_wal"
  printf 'end_lsn=%s\n' "$end_lsn"
  printf 'timeline=%s\n' "$timeline"
  printf 'size_bytes=%s\n' "$size_bytes"
  printf 'wal_archived=%s\n' "$archived"
} >"$BACKUP_DIR/.$label.info.tmp"
mv -f -- "$BACKUP_DIR/.$label.info.tmp" "$BACKUP_DIR/$label.info"
mv -- "$partial" "$BACKUP_DIR/$label"
partial=
sync -- "$BACKUP_DIR"

if [[ $archived == no ]]; then
  fail "WAL archiving is not working: segment $end_wal did not reach $ARCHIVE_DIR within ${ARCHIVE_WAIT_SECONDS}s (check archive_command and pg_stat_archiver); backup $label kept, retention skipped, status not updated"
fi

step=retention
mapfile -t backups < <(find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -name 'base-*' -printf '%f\n' | sort)
count=${#backups[@]}
[[ $count -ge 1 ]] || fail "no backup found in $BACKUP_DIR after taking $label"
first_kept=0
[[ $count -gt $BACKUP_KEEP ]] && first_kept=$((count - BACKUP_KEEP))
oldest=${backups[$first_kept]}
oldest_start=$(start_wal_of "$BACKUP_DIR/$oldest")
[[ $oldest_start =~ ^[0-9A-F]{24}$ ]] || fail "cannot read the start WAL segment of the oldest kept backup $oldest; nothing pruned"

# WAL first (only what precedes the oldest kept backup), then the old backups themselves.
run pg_archivecleanup "$PG_BINDIR/pg_archivecleanup" "$ARCHIVE_DIR" "$oldest_start"
step=retention
for f in "$ARCHIVE_DIR"/*.backup; do
  [[ -f $f ]] || continue
  name=${f##*/}
  # backup history files: <timeline><segment>.<offset>.backup; compare the segment, not timeline
  if [[ $name =~ ^[0-9A-F]{24}\. && ${name:8:16} < ${oldest_start:8:16} ]]; then
    rm -f -- "$f"
  fi
done
for ((i = 0; i < first_kept; i++)); do
  old=${backups[$i]}
  rm -rf -- "${BACKUP_DIR:?}/$old"
  rm -f -- "$BACKUP_DIR/$old.info"
  log "retention: removed backup $old"
done
for info in "$BACKUP_DIR"/base-*.info; do
  [[ -f $info ]] || continue
  [[ -d ${info%.info} ]] || rm -f -- "$info"
done
kept=$((count - first_kept))

step=status
mkdir -p "$(dirname "$STATUS_FILE")"
status_tmp="$(dirname "$STATUS_FILE")/.$(basename "$STATUS_FILE").tmp"
{
  printf '{"format":1,"status":"ok"'
  printf ',"label":%s' "$(json_str "$label")"
  printf ',"finished_at":"%s","finished_unix":%s' "$finished_at" "$finished_unix"
  printf ',"started_unix":%s,"duration_seconds":%s' "$started_unix" $((finished_unix - started_unix))
  printf ',"size_bytes":%s,"start_wal":"%s","end_wal":"%s","timeline":%s' "$size_bytes" "$start_wal" "$end_wal" "$timeline"
  printf ',"backups_kept":%s,"oldest_kept":%s' "$kept" "$(json_str "$oldest")"
  printf ',"backup_dir":%s,"archive_dir":%s' "$(json_str "$BACKUP_DIR")" "$(json_str "$ARCHIVE_DIR")"
  printf ',"host":%s}\n' "$(json_str "$(hostname)")"
} >"$status_tmp"
chmod 0644 "$status_tmp"
mv -f -- "$status_tmp" "$STATUS_FILE"

log "OK: $label verified, $((size_bytes / 1048576)) MiB in $((finished_unix - started_unix))s, WAL up to $end_wal archived, $kept backup(s) kept, WAL before $oldest_start pruned"
