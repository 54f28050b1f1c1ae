import { DeviceView, type DeviceQuery, type DeviceState } from "@ncod/core"
import { Effect, Option, Schema } from "effect"
import { MasterLink } from "../api/MasterLink.js"
import { deviceName, deviceState, holderText, paintState, usbIds } from "../ui/DeviceText.js"
import { clean, println, stdoutColors as c } from "../ui/Output.js"
import { renderTable } from "../ui/Table.js"
import { allDevices } from "./Devices.js"
import { UsageError } from "./Failure.js"

export interface DeviceFilters {
  readonly search: Option.Option<string>
  readonly slave: Option.Option<string>
  readonly state: Option.Option<DeviceState>
  readonly usb: Option.Option<string>
  readonly mine: boolean
  readonly json: boolean
}

const encode = Schema.encodeSync(Schema.Array(DeviceView))

/** The devices the user may see, as a table (or JSON), filtered. */
export const listDevices = (filters: DeviceFilters) =>
  Effect.gen(function* () {
    const link = yield* MasterLink
    const me = (yield* link.session).user.username
    const query: { -readonly [K in keyof DeviceQuery]?: DeviceQuery[K] } = {}
    if (Option.isSome(filters.search)) query.q = filters.search.value
    if (Option.isSome(filters.state)) query.state = filters.state.value
    if (Option.isSome(filters.usb)) {
      const match = /^([0-9a-f]{4})(?::([0-9a-f]{4}))?$/i.exec(filters.usb.value.trim())
      if (!match) return yield* new UsageError({ message: `--usb takes vvvv or vvvv:pppp (hex), not "${filters.usb.value}"` })
      query.vendorId = match[1]!.toLowerCase()
      if (match[2]) query.productId = match[2].toLowerCase()
    }
    let views = yield* allDevices(query)
    if (Option.isSome(filters.slave)) {
      const wanted = filters.slave.value.toLowerCase()
      views = views.filter((view) => view.slaveName.toLowerCase() === wanted || view.device.slaveId === filters.slave.pipe(Option.getOrElse(() => "")))
    }
    if (filters.mine) views = views.filter((view) => view.holder?.username === me)
    if (filters.json) return yield* println(JSON.stringify(encode(views)))
    if (views.length === 0) return yield* println("No device matches.")
    const sorted = [...views].sort((a, b) => a.slaveName.localeCompare(b.slaveName) || deviceName(a.device).localeCompare(deviceName(b.device)))
    yield* println(
      renderTable(
        ["SLAVE", "DEVICE", "VID:PID", "SERIAL", "ADDRESS", "STATE", "HOLDER"],
        sorted.map((view) => [
          clean(view.slaveName),
          deviceName(view.device) + (view.device.nickname && view.device.product ? c.dim(` (${clean(view.device.product)})`) : ""),
          usbIds(view.device),
          clean(view.device.serial ?? ""),
          view.device.vhAddress,
          paintState(deviceState(view, me), c),
          holderText(view, me)
        ]),
        c
      )
    )
  })
