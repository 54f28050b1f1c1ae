#!/usr/bin/env bash
# Removes the ncod slave agent installed by deploy/slave/install.sh: deregisters the slave from
# the master, stops the agent, takes ncod's lines out of vhusbd's config.ini (vhusbd itself and its
# unit stay: it is VirtualHere's server), and removes the agent, its units and wrappers. Files
# someone edited are left in place, with a note. Guide: docs/slave.md
#
#   sudo deploy/slave/uninstall.sh [options]
#     --purge               also delete /etc/ncod-slave and /var/lib/ncod-slave (identity, settings)
#     --keep-registration   do not deregister from the master (the slave stays listed there)
#     --prefix DIR          where install.sh copied the agent (default /opt/ncod-slave)
#     --vhusbd-config F     vhusbd's config.ini (default /usr/local/etc/virtualhere/config.ini)
#     --no-stop             no systemctl (files only)
#     --root DIR            uninstall below DIR instead of / (tests); implies --no-stop
set -euo pipefail

die() { echo "uninstall.sh: $*" >&2; exit 1; }
say() { echo "uninstall.sh: $*"; }

purge=false
deregister=true
prefix=/opt/ncod-slave
vhusbd_config=/usr/local/etc/virtualhere/config.ini
stop=true
root=""

while (($#)); do
  case $1 in
    --purge) purge=true; shift ;;
    --keep-registration) deregister=false; shift ;;
    --prefix) prefix=${2:?--prefix needs a directory}; shift 2 ;;
    --vhusbd-config) vhusbd_config=${2:?--vhusbd-config needs a path}; shift 2 ;;
    --no-stop) stop=false; shift ;;
    --root) root=$(cd "${2:?--root needs a directory}" && pwd); stop=false; shift 2 ;;
    -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

[[ $(uname -s) == Linux ]] || die "this uninstalls a Linux slave; this machine runs $(uname -s)"
if [[ -z $root && $(id -u) -ne 0 ]]; then die "run as root (sudo), or pass --root DIR"; fi

manifest=$root/var/lib/ncod-slave/install-manifest
checksum() { sha256sum "$1" | cut -d' ' -f1; }
recorded() { [[ -f $manifest ]] && awk -v f="$1" '$2 == f { print $1 }' "$manifest"; }

# remove FILE: only when it is what install.sh put there
remove() {
  local file=$1 target=$root$1
  [[ -e $target ]] || return 0
  if [[ "$(recorded "$file")" == "$(checksum "$target")" ]]; then
    rm -f "$target" "$target.ncod-new"
    say "removed $file"
  else
    say "kept $file: it was edited after installation (remove it yourself if it is no longer needed)"
  fi
}

# the agent, as the wrapper install.sh wrote runs it (the wrapper names node and the app)
agent=()
if [[ -f $root/usr/local/bin/ncod-slave ]]; then
  read -r -a agent < <(sed -n 's/^exec \(.*\) "\$@"$/\1/p' "$root/usr/local/bin/ncod-slave")
  if [[ -n $root && ${#agent[@]} -eq 2 && ! -e ${agent[1]} ]]; then agent[1]=$root${agent[1]}; fi
fi

if [[ $deregister == true && -f $root/etc/ncod-slave/enrollment.json && ${#agent[@]} -gt 0 ]]; then
  NCOD_SLAVE_CONFIG_DIR=$root/etc/ncod-slave NCOD_SLAVE_STATE_DIR=$root/var/lib/ncod-slave "${agent[@]}" deregister --force ||
    say "warning: could not deregister; an admin can delete this slave in the admin app"
fi

if [[ $stop == true ]]; then
  systemctl disable --now ncod-slave.service ncod-vhclient.service 2>/dev/null || true
fi

if [[ ${#agent[@]} -gt 0 && -f $root$vhusbd_config ]]; then
  if [[ $stop == true ]] && systemctl is-active --quiet vhusbd.service; then
    systemctl stop vhusbd.service
    "${agent[@]}" configure-vhusbd --config "$root$vhusbd_config" --remove || say "warning: $vhusbd_config still names ncod-slave-hook: remove those lines"
    systemctl start vhusbd.service
  else
    "${agent[@]}" configure-vhusbd --config "$root$vhusbd_config" --remove || say "warning: $vhusbd_config still names ncod-slave-hook: remove those lines"
  fi
fi

remove /etc/systemd/system/ncod-slave.service
remove /etc/systemd/system/ncod-vhclient.service
remove /usr/local/bin/ncod-slave
remove /usr/local/bin/ncod-slave-hook
if [[ -d $root$prefix ]]; then rm -rf "$root$prefix"; say "removed $prefix"; fi
if [[ $stop == true ]]; then systemctl daemon-reload; fi

if [[ $purge == true ]]; then
  rm -rf "$root/etc/ncod-slave" "$root/var/lib/ncod-slave"
  say "removed /etc/ncod-slave and /var/lib/ncod-slave"
else
  remove /etc/ncod-slave/config.json
  say "kept /etc/ncod-slave and /var/lib/ncod-slave (--purge deletes them)"
fi
say "done; vhusbd and its unit stay (VirtualHere's server, now without ncod's hook: access is open)"
