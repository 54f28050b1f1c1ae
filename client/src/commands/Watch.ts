import { type Device, LiveEvent } from "@ncod/core"
import { DateTime, Effect, Schema } from "effect"
import { followLiveEvents } from "../api/LiveEvents.js"
import { Settings } from "../config/ClientConfig.js"
import { deviceName } from "../ui/DeviceText.js"
import { clean, clock, eprintln, println, stdoutColors as c } from "../ui/Output.js"
import { allDevices } from "./Devices.js"

const encode = Schema.encodeSync(LiveEvent)

/** One line for one event, with the device names known so far. */
export const describeEvent = (event: LiveEvent, names: ReadonlyMap<string, string>): string => {
  const name = (id: string) => names.get(id) ?? id.slice(0, 8)
  switch (event._tag) {
    case "SlaveStatusChanged":
      return `slave ${clean(event.name)} is ${event.status}${event.degraded ? " (VirtualHere server not answering)" : ""}${event.accessMode === "advisory" ? " · advisory" : ""}`
    case "DeviceAdded":
      return `device ${deviceName(event.device)} (${event.device.vhAddress}) appeared`
    case "DeviceChanged":
      return `device ${deviceName(event.device)} (${event.device.vhAddress}): ${event.device.state.replace("_", " ")}${event.changes.length > 0 ? ` [${event.changes.join(", ")}]` : ""}`
    case "DeviceRemoved":
      return `device ${name(event.deviceId)} was removed`
    case "LeaseChanged":
      return `lease on ${name(event.lease.deviceId)}: ${event.transition} (${event.lease.state}${event.lease.endReason ? `, ${event.lease.endReason}` : ""})`
    case "AccountStatusChanged":
      return `your account is ${event.status}${event.reason ? `: ${clean(event.reason)}` : ""}`
    case "MachineStatusChanged":
      return `machine binding ${event.machineId.slice(0, 8)} is ${event.status}`
    case "WaitlistOffered":
      return `${name(event.deviceId)} is free and held for you until ${clock(DateTime.toDate(event.claimExpiresAt)).slice(0, 5)}: \`ncod connect ${name(event.deviceId)}\``
    case "ReleaseRequested":
      return `${clean(event.requestedBy.displayName)} (${event.requestedBy.username}) asks to release ${name(event.deviceId)}${event.message ? `: "${clean(event.message)}"` : ""}`
    case "ReleaseDeclined":
      return `the release request for ${name(event.deviceId)} was declined`
    case "Resync":
      return `events were dropped (${event.reason}): run \`ncod devices\` for the current state`
  }
}

/** Live events, one line each (or JSON lines), reconnecting with backoff until Ctrl+C. */
export const watch = (json: boolean) =>
  Effect.gen(function* () {
    const settings = yield* Settings
    const names = new Map<string, string>()
    const remember = (device: Device) => void names.set(device.id, deviceName(device))
    for (const view of yield* allDevices().pipe(Effect.orElseSucceed(() => []))) remember(view.device)
    yield* followLiveEvents(
      {
        onEvent: (event) =>
          Effect.suspend(() => {
            if (event._tag === "DeviceAdded" || event._tag === "DeviceChanged") remember(event.device)
            return json ? println(JSON.stringify(encode(event))) : println(`${c.dim(clock(DateTime.toDate(event.at)))} ${describeEvent(event, names)}`)
          }),
        onSubscribed: (again) => eprintln(c.dim(again ? "reconnected: watching live events" : "watching live events (Ctrl+C to stop)")),
        onLost: (reason, wait) => eprintln(c.yellow(`${reason}: reconnecting in ${Math.ceil(wait / 1000)} s`))
      },
      settings.reconnectMaxSeconds
    )
  })
