import type { DeviceView } from "@ncod/core"
import { Effect, Fiber, Queue } from "effect"
import { followLiveEvents } from "../api/LiveEvents.js"
import { MasterLink } from "../api/MasterLink.js"
import { Settings } from "../config/ClientConfig.js"
import { deviceName, deviceState, holderText, usbIds } from "../ui/DeviceText.js"
import { clean, isInteractive, stdoutColors as c } from "../ui/Output.js"
import { decodeKeys, type PickerItem, type PickerState, pickerStep, renderPicker } from "../ui/Picker.js"
import { holdDevice } from "./Connect.js"
import { allDevices } from "./Devices.js"
import { UsageError } from "./Failure.js"

const toItems = (views: ReadonlyArray<DeviceView>, me: string): ReadonlyArray<PickerItem> =>
  views
    .filter((view) => view.device.state !== "removed")
    .map((view) => {
      const d = view.device
      return {
        id: d.id,
        name: deviceName(d),
        slave: clean(view.slaveName),
        usbIds: usbIds(d),
        state: deviceState(view, me),
        holder: holderText(view, me),
        search: [d.nickname, d.product, d.manufacturer, d.serial, view.slaveName, d.vhAddress, usbIds(d)].filter((x) => x !== null).join(" ").toLowerCase()
      }
    })

const REFRESH = Symbol("refresh")

/**
 * The full-screen list: alternate screen, raw keyboard, redrawn on every key, resize and fleet
 * change (live events). Resolves with the chosen device, or none when the user quits.
 */
const pickScreen = (load: Effect.Effect<ReadonlyArray<DeviceView>, unknown, MasterLink>, me: string) =>
  Effect.gen(function* () {
    const settings = yield* Settings
    const input = yield* Queue.unbounded<string | typeof REFRESH>()
    let views = yield* load
    let state: PickerState = { items: toItems(views, me), filter: "", selected: 0, offset: 0 }
    const out = process.stdout
    const size = () => ({ cols: out.columns || 80, rows: out.rows || 24 })
    const draw = () => {
      const { cols, rows } = size()
      const lines = renderPicker(state, cols, rows, c, "ncod pick")
      out.write(`\x1b[H${lines.map((line) => `${line}\x1b[K`).join("\r\n")}\x1b[J`)
    }
    const onData = (chunk: string) => void Queue.unsafeOffer(input, chunk)
    const onResize = () => void Queue.unsafeOffer(input, REFRESH)
    const stdin = process.stdin
    yield* Effect.acquireRelease(
      Effect.sync(() => {
        out.write("\x1b[?1049h\x1b[?25l")
        stdin.setRawMode(true)
        stdin.setEncoding("utf8")
        stdin.on("data", onData)
        stdin.resume()
        out.on("resize", onResize)
      }),
      () =>
        Effect.sync(() => {
          stdin.off("data", onData)
          out.off("resize", onResize)
          stdin.setRawMode(false)
          stdin.pause()
          out.write("\x1b[?25h\x1b[?1049l")
        })
    )
    // the list follows the fleet while it is open
    const live = yield* Effect.forkScoped(
      followLiveEvents(
        {
          onEvent: (event) =>
            event._tag === "DeviceAdded" || event._tag === "DeviceChanged" || event._tag === "DeviceRemoved" || event._tag === "SlaveStatusChanged" || event._tag === "LeaseChanged"
              ? Queue.offer(input, REFRESH).pipe(Effect.asVoid)
              : Effect.void
        },
        settings.reconnectMaxSeconds
      )
    )
    draw()
    for (;;) {
      const next = yield* Queue.take(input)
      if (next === REFRESH) {
        // coalesce a burst of changes into one reload
        yield* Queue.takeAll(input).pipe(Effect.flatMap((rest) => Effect.forEach(rest, (chunk) => (chunk === REFRESH ? Effect.void : Queue.offer(input, chunk)))))
        views = yield* load.pipe(Effect.orElseSucceed(() => views))
        state = { ...state, items: toItems(views, me) }
        draw()
        continue
      }
      for (const key of decodeKeys(next)) {
        const step = pickerStep(state, key, size().rows)
        state = step.state
        if (step.outcome._tag === "Quit") {
          yield* Fiber.interrupt(live)
          return undefined
        }
        if (step.outcome._tag === "Pick") {
          const id = step.outcome.item.id
          yield* Fiber.interrupt(live)
          return views.find((view) => view.device.id === id)
        }
        if (step.outcome._tag === "Refresh") yield* Queue.offer(input, REFRESH)
      }
      draw()
    }
  }).pipe(Effect.scoped)

export const pick = (minutes: number | undefined) =>
  Effect.gen(function* () {
    if (!isInteractive()) return yield* new UsageError({ message: "`ncod pick` needs a terminal: use `ncod devices` and `ncod connect <device>`" })
    const link = yield* MasterLink
    const me = (yield* link.session).user.username
    const chosen = yield* pickScreen(allDevices(), me)
    if (chosen === undefined) return
    yield* holdDevice(chosen, minutes, chosen.device.vhAddress)
  })
