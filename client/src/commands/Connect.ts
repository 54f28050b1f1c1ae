import type { DeviceView } from "@ncod/core"
import { Effect } from "effect"
import { connectDevice, endReasonText, releaseLease } from "../lease/Connect.js"
import { holdLease } from "../lease/Keeper.js"
import { deviceName } from "../ui/DeviceText.js"
import { clean, println, stdoutColors as c } from "../ui/Output.js"
import { makeStatusLine } from "../ui/StatusLine.js"
import { unbindDevice } from "../vh/Binding.js"
import { CliExit, ExitCode } from "./Failure.js"
import { resolveDevice } from "./Devices.js"

/** How the process should exit when interrupted (Ctrl+C): set to 0 once a release went through. */
export const interruptExit = { code: 130 }

/**
 * Connects and holds the device in the foreground until the lease ends or the user presses Ctrl+C
 * (which stops using the device in VirtualHere and releases the lease).
 */
export const holdDevice = (target: DeviceView, minutes: number | undefined, reference: string) =>
  Effect.gen(function* () {
    const ui = makeStatusLine(process.stdout, c)
    const warn = (text: string) => ui.note(c.yellow(text))
    const held = yield* connectDevice(target, { minutes, progress: ui.status, warn }).pipe(Effect.tapErrorCause(() => ui.stop))
    const device = held.connection.device
    const address = device.vhAddress
    yield* ui.note(
      `${c.green("connected")}: ${deviceName(device)} (${address}) on ${clean(held.view.slaveName)} is bound to this computer as "${held.identity}"` +
        (held.connection.advisory ? c.yellow(" — this slave cannot enforce access (unlicensed VirtualHere): the lease is honour-based there") : "")
    )
    const ended = yield* holdLease(held, ui, reference).pipe(
      Effect.onInterrupt(() =>
        Effect.gen(function* () {
          yield* ui.status(`releasing ${deviceName(device)}`)
          const unbound = yield* unbindDevice(address).pipe(Effect.either)
          const released = yield* releaseLease(held.lease.id, "released")
          yield* ui.stop
          if (unbound._tag === "Left") yield* println(c.yellow(`could not stop using ${address}: ${unbound.left.message}`))
          if (released._tag === "Left") {
            yield* println(c.yellow(`could not release the lease (master unreachable?): it ends by itself after the master's grace period`))
          } else {
            yield* println(`Released ${deviceName(device)} (${address}).`)
            if (unbound._tag === "Right") interruptExit.code = ExitCode.ok
          }
        })
      )
    )
    yield* ui.status("stopping use of the device")
    const unbound = yield* unbindDevice(address).pipe(Effect.either)
    yield* ui.stop
    const reason = ended.reason
    const message =
      `lease ended (${reason ?? "unknown"}): ${endReasonText(reason)}` +
      (unbound._tag === "Right" ? "; VirtualHere no longer uses the device" : `; could not stop using ${address}: ${unbound.left.message}`)
    if (reason === "released") return yield* println(message)
    return yield* new CliExit({ code: reason === "account_changed" ? ExitCode.refused : ExitCode.unavailable, message })
  })

export const connect = (deviceText: string, minutes: number | undefined) =>
  Effect.flatMap(resolveDevice(deviceText), (view) => holdDevice(view, minutes, deviceText))
