#!/usr/bin/env bash
# PostgreSQL archive_command for ncod: copies one WAL file into the archive directory.
#
#   archive_command = '/usr/local/lib/ncod-backup/archive-wal.sh %p %f /var/backups/ncod/wal'
#
# Safe by construction:
#   - never overwrites an archived file: if the name exists with the same content it reports
#     success (PostgreSQL may retry a file it already archived after a crash), with other
#     content it fails, so the server keeps the WAL and logs the error;
#   - atomic: copies to a temporary name in the same directory, fsyncs it, then hard-links it
#     into place (link(2) fails if the name exists, so two archivers can never race) and fsyncs
#     the directory.
# Exit status 0 tells PostgreSQL the file is safely archived; anything else makes it retry.
set -euo pipefail

if [[ $# -ne 3 ]]; then
  echo "usage: archive-wal.sh <%p: path of the WAL file> <%f: its file name> <archive directory>" >&2
  exit 2
fi
src=$1
name=$2
archive=$3

case "$name" in
  */* | .* | "") echo "archive-wal: refusing odd file name '$name'" >&2; exit 2 ;;
esac
[[ -d "$archive" ]] || { echo "archive-wal: archive directory $archive does not exist" >&2; exit 1; }

dest="$archive/$name"
if [[ -e "$dest" ]]; then
  if cmp -s -- "$src" "$dest"; then
    exit 0
  fi
  echo "archive-wal: $dest already exists with different content; not overwriting" >&2
  exit 1
fi

tmp="$archive/.tmp.$name.$$"
trap 'rm -f -- "$tmp"' EXIT
cp -- "$src" "$tmp"
sync -- "$tmp"
if ! ln -- "$tmp" "$dest" 2>/dev/null; then
  # Another archiver linked the same name between our test and now: accept only identical content.
  if [[ -e "$dest" ]] && cmp -s -- "$src" "$dest"; then
    exit 0
  fi
  echo "archive-wal: could not place $dest" >&2
  exit 1
fi
sync -- "$archive"
