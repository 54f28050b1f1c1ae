#!/usr/bin/env bash
# Copies what a runtime image needs from a built checkout into OUT: the root manifests and, for
# each named workspace, everything except sources, tests and build bookkeeping. Workspaces keep
# files outside dist/ that they load at run time (sql/worker/, core/bin/), so the rule is
# "leave out what is known to be build-only", not "take dist/".
#   stage-app.sh OUT WORKSPACE...        (run from the repository root, after npm run build)
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: stage-app.sh OUT WORKSPACE..." >&2
  exit 2
fi
out=$1
shift

install -d "$out"
cp package.json package-lock.json "$out/"
for ws in "$@"; do
  [[ -f "$ws/package.json" ]] || { echo "stage-app: $ws is not a workspace" >&2; exit 1; }
  install -d "$out/$ws"
  tar -C "$ws" -cf - \
    --exclude=./src --exclude=./test --exclude=./node_modules \
    --exclude='./tsconfig*.json' --exclude='*.tsbuildinfo' --exclude='./*.md' \
    . | tar -C "$out/$ws" -xf -
done
