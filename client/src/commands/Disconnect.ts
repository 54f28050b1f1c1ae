import type { LeaseView } from "@ncod/core"
import { Effect } from "effect"
import { MasterLink } from "../api/MasterLink.js"
import { deviceName } from "../ui/DeviceText.js"
import { eprintln, println, stdoutColors as c } from "../ui/Output.js"
import { unbindDevice } from "../vh/Binding.js"
import { CliExit, describeFailure, ExitCode, UsageError } from "./Failure.js"
import { matchDevices, single } from "./Devices.js"

/** The caller's open leases, optionally only the one on the device named. */
export const myOpenLeases = Effect.flatMap(MasterLink, (link) =>
  Effect.map(
    link.call((api) => api.leases.mine()),
    (views) => views.filter((view) => view.lease.state !== "ended")
  )
)

export const findMyLease = (deviceText: string) =>
  Effect.flatMap(myOpenLeases, (views) => single(matchDevices(views, deviceText), deviceText, "device you hold"))

/**
 * `STOP USING` in VirtualHere, then release at the master. A holding `ncod connect` elsewhere sees
 * the lease end and exits. When VirtualHere cannot be asked the lease is still released.
 */
const disconnectOne = (view: LeaseView) =>
  Effect.gen(function* () {
    const link = yield* MasterLink
    const address = view.device.vhAddress
    const unbound = yield* unbindDevice(address).pipe(Effect.either)
    if (unbound._tag === "Left") yield* eprintln(c.yellow(`VirtualHere: ${unbound.left.message}; releasing the lease anyway`))
    else if (!unbound.right) yield* eprintln(c.yellow(`VirtualHere still shows ${address} bound to this computer`))
    yield* link.call((api) => api.leases.release({ path: { id: view.lease.id }, payload: { reason: "released" } }))
    yield* println(`Released ${deviceName(view.device)} (${address}).`)
    return unbound._tag === "Right" && unbound.right
  })

export const disconnect = (deviceText: string | undefined, all: boolean) =>
  Effect.gen(function* () {
    if (deviceText === undefined && !all) {
      const open = yield* myOpenLeases
      if (open.length === 0) return yield* println("You hold no device.")
      if (open.length > 1) {
        return yield* new UsageError({ message: `you hold ${open.length} devices: name one, or pass --all (${open.map((v) => deviceName(v.device)).join(", ")})` })
      }
      return yield* disconnectOne(open[0]!)
    }
    const targets = all ? yield* myOpenLeases : [yield* findMyLease(deviceText!)]
    if (targets.length === 0) return yield* println("You hold no device.")
    let failures = 0
    for (const view of targets) {
      const result = yield* disconnectOne(view).pipe(Effect.either)
      if (result._tag === "Left") {
        failures++
        yield* eprintln(`${deviceName(view.device)}: ${describeFailure(result.left).message}`)
      }
    }
    if (failures > 0) return yield* new CliExit({ code: ExitCode.unexpected, message: `${failures} of ${targets.length} could not be released` })
  })
