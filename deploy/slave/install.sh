#!/usr/bin/env bash
# Installs the ncod slave agent on a Linux slave beside VirtualHere's vhusbd, from a built
# checkout of this repository (npm ci && npm run build). Safe to run again: it upgrades what it
# installed and never overwrites a file someone edited (the new version lands beside it as
# <file>.ncod-new). Uninstall with deploy/slave/uninstall.sh. Guide: docs/slave.md
#
#   sudo deploy/slave/install.sh [options]
#     --source DIR        built repository checkout (default: the one holding this script)
#     --prefix DIR        where the agent is copied (default /opt/ncod-slave)
#     --in-place          run the agent from --source instead of copying it (development boxes)
#     --vhusbd BIN        vhusbd binary (default: /usr/local/sbin/vhusbd<arch> when present)
#     --vhclient BIN      VirtualHere client binary (default: /usr/local/bin/vhclient<arch>)
#     --vhusbd-config F   vhusbd's config.ini (default /usr/local/etc/virtualhere/config.ini)
#     --advisory          do not install the authorization hook (access not enforced)
#     --force-hook        replace a ClientAuthorization line that is not ncod's
#     --skip-npm          do not run npm ci in the prefix (dependencies already there)
#     --no-start          install files only: no systemctl
#     --root DIR          install below DIR instead of / (packaging, tests); implies --no-start
set -euo pipefail

die() { echo "install.sh: $*" >&2; exit 1; }
say() { echo "install.sh: $*"; }

source_dir=$(cd "$(dirname "$0")/../.." && pwd)
prefix=/opt/ncod-slave
in_place=false
vhusbd=""
vhclient=""
vhusbd_config=/usr/local/etc/virtualhere/config.ini
advisory=false
force_hook=false
skip_npm=false
start=true
root=""

while (($#)); do
  case $1 in
    --source) source_dir=$(cd "${2:?--source needs a directory}" && pwd); shift 2 ;;
    --prefix) prefix=${2:?--prefix needs a directory}; shift 2 ;;
    --in-place) in_place=true; shift ;;
    --vhusbd) vhusbd=${2:?--vhusbd needs a path}; shift 2 ;;
    --vhclient) vhclient=${2:?--vhclient needs a path}; shift 2 ;;
    --vhusbd-config) vhusbd_config=${2:?--vhusbd-config needs a path}; shift 2 ;;
    --advisory) advisory=true; shift ;;
    --force-hook) force_hook=true; shift ;;
    --skip-npm) skip_npm=true; shift ;;
    --no-start) start=false; shift ;;
    --root) root=$(cd "${2:?--root needs a directory}" && pwd); start=false; shift 2 ;;
    -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

# --- where we are --------------------------------------------------------------------------------
[[ $(uname -s) == Linux ]] || die "this installs a Linux slave; this machine runs $(uname -s)"
if [[ -z $root && $(id -u) -ne 0 ]]; then die "run as root (sudo), or pass --root DIR to install below a directory"; fi
node=$(command -v node) || die "Node.js 20.19 or newer is needed (apt-get install nodejs, or nodesource)"
node_version=$("$node" -p 'process.versions.node')
IFS=. read -r major minor _ <<<"$node_version"
if ((major < 20 || (major == 20 && minor < 19))); then die "Node.js $node_version is too old: 20.19 or newer is needed"; fi
[[ -f $source_dir/slave/package.json && -f $source_dir/core/package.json ]] || die "$source_dir is not an ncod checkout (use --source)"
if [[ $in_place == false && ! -f $source_dir/slave/dist/bin.js ]]; then die "$source_dir is not built: run npm ci && npm run build there first"; fi

arch_suffix() {
  case $(uname -m) in
    x86_64) echo x86_64 ;;
    aarch64) echo arm64 ;;
    armv7l | armv6l) echo arm ;;
    *) uname -m ;;
  esac
}
[[ -n $vhusbd ]] || vhusbd=/usr/local/sbin/vhusbd$(arch_suffix)
[[ -n $vhclient ]] || vhclient=/usr/local/bin/vhclient$(arch_suffix)

# --- managed files: upgrade what we installed, never clobber an edit ----------------------------
state_dir=$root/var/lib/ncod-slave
manifest=$state_dir/install-manifest
install -d -m 0700 "$state_dir"
touch "$manifest"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

checksum() { sha256sum "$1" | cut -d' ' -f1; }
recorded() { awk -v f="$1" '$2 == f { print $1 }' "$manifest"; }
record() {
  local file=$1 sum
  sum=$(checksum "$root$file")
  awk -v f="$file" '$2 != f' "$manifest" >"$work/manifest" && cp "$work/manifest" "$manifest"
  echo "$sum $file" >>"$manifest"
}

# place NEW_CONTENT_FILE DEST MODE: install it unless DEST was edited since we put it there
place() {
  local new=$1 dest=$2 mode=$3 target
  target=$root$dest
  install -d "$(dirname "$target")"
  if [[ ! -e $target ]]; then
    install -m "$mode" "$new" "$target"
    say "installed $dest"
  elif cmp -s "$new" "$target"; then
    chmod "$mode" "$target"
  elif [[ "$(recorded "$dest")" == "$(checksum "$target")" ]]; then
    install -m "$mode" "$new" "$target"
    say "updated $dest"
  else
    install -m "$mode" "$new" "$target.ncod-new"
    say "kept your edited $dest; the new version is $dest.ncod-new"
    return 0
  fi
  record "$dest"
}

render() {
  sed -e "s#@NODE@#$node#g" -e "s#@APP@#$app#g" -e "s#@VHUSBD@#$vhusbd#g" -e "s#@VHCLIENT@#$vhclient#g" \
    -e "s#@VHUSBD_CONFIG@#$vhusbd_config#g" "$1" >"$2"
}

# --- the agent -----------------------------------------------------------------------------------
if [[ $in_place == true ]]; then
  app=$source_dir
  app_files=$source_dir
  say "running the agent from $app"
else
  app=$prefix
  app_files=$root$prefix
  staged=$root$prefix.new
  rm -rf "$staged"
  install -d "$staged"
  cp "$source_dir/package.json" "$source_dir/package-lock.json" "$staged/"
  for ws in core slave; do
    install -d "$staged/$ws"
    tar -C "$source_dir/$ws" -cf - --exclude=./src --exclude=./test --exclude=./node_modules \
      --exclude='./tsconfig*.json' --exclude='*.tsbuildinfo' --exclude='*.test.*' . | tar -C "$staged/$ws" -xf -
  done
  install -d "$staged/docs"
  cp "$source_dir/docs/slave.md" "$staged/docs/"
  if [[ $skip_npm == true ]]; then
    if [[ -d $root$prefix/node_modules ]]; then mv "$root$prefix/node_modules" "$staged/"; else say "warning: --skip-npm without dependencies in $prefix: the agent cannot run until npm ci runs there"; fi
  else
    say "installing production dependencies (npm ci)"
    (cd "$staged" && npm ci --omit=dev --workspace=slave --no-audit --no-fund --loglevel=error) || die "npm ci failed in $staged"
  fi
  rm -rf "$root$prefix.old"
  if [[ -d $root$prefix ]]; then mv "$root$prefix" "$root$prefix.old"; fi
  mv "$staged" "$root$prefix"
  rm -rf "$root$prefix.old"
  say "agent in $prefix"
fi

for program in ncod-slave ncod-slave-hook; do
  printf '#!/bin/sh\n# installed by ncod deploy/slave/install.sh\nexec %s %s/slave/bin/%s.js "$@"\n' "$node" "$app" "$program" >"$work/$program"
  place "$work/$program" "/usr/local/bin/$program" 0755
done

# --- settings and units --------------------------------------------------------------------------
install -d -m 0755 "$root/etc/ncod-slave"
render "$source_dir/deploy/slave/config.json" "$work/config.json"
place "$work/config.json" /etc/ncod-slave/config.json 0644

units=(ncod-slave.service)
if [[ -x $root$vhusbd ]]; then units+=(vhusbd.service); else say "warning: no vhusbd at $vhusbd (install VirtualHere's server, or pass --vhusbd): its unit is not installed"; fi
if [[ -x $root$vhclient ]]; then units+=(ncod-vhclient.service); else say "warning: no VirtualHere client at $vhclient (pass --vhclient): the agent needs one to see devices"; fi
for unit in "${units[@]}"; do
  render "$source_dir/deploy/slave/$unit" "$work/$unit"
  place "$work/$unit" "/etc/systemd/system/$unit" 0644
done

# --- vhusbd's config.ini: the authorization hook and the event hooks ----------------------------
if [[ $start == true ]] && systemctl is-active --quiet vhusbd.service; then
  # vhusbd rewrites its config itself: edit it only while it is stopped (started again below)
  systemctl stop vhusbd.service
fi
configure=(configure-vhusbd --config "$root$vhusbd_config" --hook /usr/local/bin/ncod-slave-hook)
if [[ $advisory == true ]]; then configure+=(--advisory); fi
if [[ $force_hook == true ]]; then configure+=(--force); fi
install -d "$(dirname "$root$vhusbd_config")"
if ! "$node" "$app_files/slave/bin/ncod-slave.js" "${configure[@]}"; then
  say "warning: $vhusbd_config was left as it is: access will not be enforced until it calls ncod-slave-hook (see above; --force-hook replaces the line)"
fi

# --- start ----------------------------------------------------------------------------------------
if [[ $start == true ]]; then
  systemctl daemon-reload
  systemctl enable "${units[@]}" >/dev/null
  # restart: a unit or the agent may have changed, and vhusbd must read its edited config
  systemctl restart "${units[@]}"
  say "services enabled and started: ${units[*]}"
fi

if [[ -f $root/etc/ncod-slave/enrollment.json ]]; then
  say "done; this slave is enrolled: ncod-slave status"
else
  say "done; now enroll it: ncod-slave enroll --master https://<master>:8443 --token <token from the admin app> --ca-file <master's ca.crt>"
fi
