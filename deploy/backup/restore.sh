#!/usr/bin/env bash
# ncod: prepare a PostgreSQL data directory from a base backup plus the WAL archive.
#
#   restore.sh --target-dir DIR [--backup LABEL] [--target-time "TIMESTAMP"]
#              [--archive-mode preserve|off] [--no-verify] [--config FILE]
#   restore.sh --list [--config FILE]
#
# Without --target-time: full recovery, replaying all archived WAL, then promotion.
# With --target-time: point-in-time recovery; replay stops at the last transaction committed at
# or before TIMESTAMP, then the server promotes. Give TIMESTAMP with an explicit UTC offset,
# e.g. "2025-03-01 14:30:00+00". Without --backup the newest backup that finished before
# TIMESTAMP is used (newest of all for a full recovery).
#
# DIR must be missing or empty; nothing is ever deleted. The backup is checked with
# pg_verifybackup, copied, and restore_command, recovery_target_time (if any),
# recovery_target_action = 'promote' are written to DIR/postgresql.auto.conf, and
# DIR/recovery.signal is created. The server is NOT started: start it yourself (see
# docs/operations/backup.md), it replays WAL from ARCHIVE_DIR and promotes.
# --archive-mode off also writes archive_mode = off, so the restored server does not push its
# new timeline into the shared archive (use it for drills and trial restores).
set -euo pipefail
export LC_ALL=C

die() {
  echo "ncod-restore: FAILED: $*" >&2
  exit 1
}
say() { echo "ncod-restore: $*" >&2; }
usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; }

config=${NCOD_BACKUP_CONFIG:-/etc/ncod/backup.env}
config_given=0
[[ -n ${NCOD_BACKUP_CONFIG:-} ]] && config_given=1
target_dir=
backup=
target_time=
archive_mode=preserve
verify=1
list=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --config | --target-dir | --backup | --target-time | --archive-mode)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      case "$1" in
        --config) config=$2; config_given=1 ;;
        --target-dir) target_dir=$2 ;;
        --backup) backup=$2 ;;
        --target-time) target_time=$2 ;;
        --archive-mode) archive_mode=$2 ;;
      esac
      shift 2
      ;;
    --no-verify) verify=0; shift ;;
    --list) list=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

if [[ -f "$config" ]]; then
  set -a
  # shellcheck source=/dev/null
  . "$config"
  set +a
elif [[ $config_given -eq 1 ]]; then
  die "config file $config not found"
fi
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
RESTORE_OWNER=${RESTORE_OWNER:-postgres}
[[ -n ${BACKUP_DIR:-} ]] || die "BACKUP_DIR is not set (config $config)"
[[ -n ${ARCHIVE_DIR:-} ]] || die "ARCHIVE_DIR is not set (config $config)"
[[ -d $BACKUP_DIR ]] || die "backup directory $BACKUP_DIR does not exist"
# ARCHIVE_DIR is embedded in restore_command: allow only a plain absolute path.
[[ $ARCHIVE_DIR =~ ^/[A-Za-z0-9._/-]+$ ]] || die "ARCHIVE_DIR '$ARCHIVE_DIR' must be an absolute path of letters, digits and . _ / -"
[[ -d $ARCHIVE_DIR ]] || die "WAL archive directory $ARCHIVE_DIR does not exist"
[[ $archive_mode == preserve || $archive_mode == off ]] || die "--archive-mode must be preserve or off"

# value of KEY in a backup's .info file (empty if unknown)
info() { sed -n "s/^$2=//p" "$BACKUP_DIR/$1.info" 2>/dev/null | head -n 1; }

mapfile -t backups < <(find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -name 'base-*' -printf '%f\n' | sort)

if [[ $list -eq 1 ]]; then
  printf '%-24s %-22s %10s  %s\n' LABEL FINISHED_AT SIZE_MIB START_WAL
  for b in "${backups[@]}"; do
    size=$(info "$b" size_bytes)
    printf '%-24s %-22s %10s  %s\n' "$b" "$(info "$b" finished_at)" "${size:+$((size / 1048576))}" "$(info "$b" start_wal)"
  done
  exit 0
fi

[[ -n $target_dir ]] || die "--target-dir is required (see --help)"
[[ ${#backups[@]} -gt 0 ]] || die "no backup in $BACKUP_DIR"

target_ms=
if [[ -n $target_time ]]; then
  # The value goes into postgresql.auto.conf between single quotes.
  [[ $target_time =~ ^[0-9A-Za-z\ :.+/_-]+$ ]] || die "--target-time '$target_time' contains unexpected characters"
  target_ms=$(date -d "$target_time" +%s%3N 2>/dev/null) ||
    die "cannot parse --target-time '$target_time' (use e.g. '2025-03-01 14:30:00+00')"
  [[ $target_time =~ (Z|UTC|[+-][0-9]{2}(:?[0-9]{2})?)$ ]] ||
    say "warning: --target-time has no UTC offset; PostgreSQL will read it in the restored server's TimeZone"
fi

if [[ -n $backup ]]; then
  [[ $backup =~ ^base-[0-9TZ]+$ && -d "$BACKUP_DIR/$backup" ]] || die "backup '$backup' not found in $BACKUP_DIR (see --list)"
  if [[ -n $target_ms ]]; then
    fin=$(info "$backup" finished_ms)
    [[ -z $fin || $fin -lt $target_ms ]] ||
      die "backup $backup finished at $(info "$backup" finished_at), after the target time; choose an older backup"
  fi
elif [[ -n $target_ms ]]; then
  # a backup is usable only if it was complete (consistent) before the target time
  for ((i = ${#backups[@]} - 1; i >= 0; i--)); do
    fin=$(info "${backups[$i]}" finished_ms)
    if [[ -n $fin && $fin -lt $target_ms ]]; then
      backup=${backups[$i]}
      break
    fi
  done
  [[ -n $backup ]] || die "no backup finished before $target_time (oldest: ${backups[0]}, finished $(info "${backups[0]}" finished_at))"
else
  backup=${backups[${#backups[@]} - 1]}
fi
src="$BACKUP_DIR/$backup"

if [[ -e $target_dir ]]; then
  [[ -d $target_dir ]] || die "$target_dir exists and is not a directory"
  [[ -z $(find "$target_dir" -mindepth 1 -maxdepth 1 -print -quit) ]] ||
    die "$target_dir is not empty; move the old data directory aside first (nothing is deleted by this script)"
fi

if [[ $verify -eq 1 ]]; then
  say "verifying $backup with pg_verifybackup"
  "$PG_BINDIR/pg_verifybackup" -q "$src" || die "pg_verifybackup reports $src damaged; choose another backup (--list)"
fi

say "copying $backup into $target_dir"
mkdir -p "$target_dir"
chmod 0700 "$target_dir"
cp -a -- "$src/." "$target_dir/"
rm -f -- "$target_dir/backup_manifest" "$target_dir/standby.signal" "$target_dir/postmaster.pid"

# Drop recovery settings an earlier restore may have left in the backed-up auto.conf, so an old
# recovery_target_time can never cut a new recovery short.
auto="$target_dir/postgresql.auto.conf"
touch "$auto"
drop='^[[:space:]]*(restore_command|recovery_target[a-z_]*)[[:space:]]*='
[[ $archive_mode == off ]] && drop='^[[:space:]]*(restore_command|recovery_target[a-z_]*|archive_mode)[[:space:]]*='
grep -Ev "$drop|^# ncod restore.sh" "$auto" >"$auto.new" || true
{
  printf '# ncod restore.sh %s: %s%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$backup" "${target_time:+, point in time $target_time}"
  printf "restore_command = 'cp \"%s/%%f\" \"%%p\"'\n" "$ARCHIVE_DIR"
  [[ -n $target_time ]] && printf "recovery_target_time = '%s'\n" "$target_time"
  printf "recovery_target_action = 'promote'\n"
  [[ $archive_mode == off ]] && printf "archive_mode = off\n"
  true
} >>"$auto.new"
mv -f -- "$auto.new" "$auto"
touch "$target_dir/recovery.signal"

if [[ $(id -u) -eq 0 ]]; then
  chown -R -- "$RESTORE_OWNER:" "$target_dir"
fi
chmod 0600 "$auto"

if [[ -n $target_time ]]; then
  say "ready: $target_dir holds $backup; on start it replays WAL from $ARCHIVE_DIR up to $target_time, then promotes"
else
  say "ready: $target_dir holds $backup; on start it replays all WAL in $ARCHIVE_DIR, then promotes"
fi
say "next: start PostgreSQL on $target_dir, wait for 'select pg_is_in_recovery()' to return f, check the data"
