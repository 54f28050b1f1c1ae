#!/usr/bin/env bash
# A simulated slave in one container (compose profile "sim"): the VirtualHere server simulator
# from core/bin on vhusbd's usual port 7575 with a few USB devices, and the real ncod slave agent
# beside it, as on a Linux slave. The agent enrolls once with NCOD_ENROLL_TOKEN, then runs.
# Either process ending stops the container, so compose's restart policy brings both back.
#
#   SIM_NAME       hub name shown in VirtualHere (default: the container's hostname)
#   SIM_DEVICES    JSON device specs, one per line (default: an FTDI adapter and a dongle)
#   NCOD_MASTER_URL, NCOD_ENROLL_TOKEN   for the one-time `enroll`
# Any other agent setting is passed through the environment unchanged.
set -euo pipefail

app=${NCOD_APP_DIR:-/app}
state_dir=${NCOD_SLAVE_STATE_DIR:-/var/lib/ncod-slave}
# the container runs as an unprivileged user: everything the agent writes lives in its volume,
# and vhusbd's config is the simulator's own (no config.ini to check)
export NCOD_SLAVE_STATE_DIR="$state_dir"
export NCOD_SLAVE_CONFIG_DIR=${NCOD_SLAVE_CONFIG_DIR:-$state_dir}
export NCOD_SLAVE_SOCKET=${NCOD_SLAVE_SOCKET:-$state_dir/agent.sock}
export NCOD_SLAVE_VHUSBD_CONFIG=${NCOD_SLAVE_VHUSBD_CONFIG:-}
export NCOD_SLAVE_VHCLIENT_COMMAND_PIPE=${NCOD_SLAVE_VHCLIENT_COMMAND_PIPE:-$state_dir/vhclient}
export NCOD_SLAVE_VHCLIENT_RESPONSE_PIPE=${NCOD_SLAVE_VHCLIENT_RESPONSE_PIPE:-$state_dir/vhclient_response}
name=${SIM_NAME:-${HOSTNAME:-sim-hub}}
default_devices='{"vendorId":"0403","productId":"6001","manufacturer":"FTDI","product":"FT232R USB UART","serial":"SIM0001","busPath":"1-1.1"}
{"vendorId":"096e","productId":"0006","manufacturer":"Feitian","product":"License Dongle","serial":"SIM0002","busPath":"1-1.2"}'
devices=${SIM_DEVICES:-$default_devices}

device_args=()
while IFS= read -r line; do
  [[ -n "$line" ]] && device_args+=(--device "$line")
done <<<"$devices"

node "$app"/core/bin/vhusbd-sim.js --name "$name" --port 7575 "${device_args[@]}" &
vhusbd=$!

# the agent reads devices through a VirtualHere client daemon connected to the local server
node "$app"/core/bin/vhclient-sim.js -n --username ncod --full-name "ncod agent" --hub 127.0.0.1:7575 \
  --command-pipe "$NCOD_SLAVE_VHCLIENT_COMMAND_PIPE" --response-pipe "$NCOD_SLAVE_VHCLIENT_RESPONSE_PIPE" &
vhclient=$!

agent=""
stop() {
  # either may be gone already
  if [[ -n "$agent" ]]; then kill -TERM "$agent" 2>/dev/null || true; fi
  kill -TERM "$vhclient" "$vhusbd" 2>/dev/null || true
  wait || true
}
trap 'stop; exit 143' TERM INT

# enroll once: the marker lives in the state volume, so a restarted container only runs
if [[ ! -e "$state_dir/.enrolled" ]]; then
  : "${NCOD_MASTER_URL:?set NCOD_MASTER_URL}" "${NCOD_ENROLL_TOKEN:?set NCOD_ENROLL_TOKEN (an enrollment token from the admin app)}"
  node "$app"/slave/dist/bin.js enroll --master "$NCOD_MASTER_URL" --token "$NCOD_ENROLL_TOKEN"
  touch "$state_dir/.enrolled"
fi

node "$app"/slave/dist/bin.js run &
agent=$!

# whichever ends first ends the container, with its status
set +e
wait -n "$vhusbd" "$vhclient" "$agent"
status=$?
set -e
stop
exit "$status"
