import { type Device, type DeviceQuery, type DeviceView, sameVhAddress } from "@ncod/core"
import { Effect } from "effect"
import { MasterLink } from "../api/MasterLink.js"
import { deviceName } from "../ui/DeviceText.js"
import { UsageError } from "./Failure.js"

/** Every device the user may see that matches the query, following the pages. */
export const allDevices = (query: Omit<DeviceQuery, "limit" | "cursor"> = {}) =>
  Effect.gen(function* () {
    const link = yield* MasterLink
    const items: Array<DeviceView> = []
    let cursor: string | undefined
    for (let page = 0; page < 100; page++) {
      const result = yield* link.call((api) => api.inventory.devices({ urlParams: { ...query, limit: 500, ...(cursor === undefined ? {} : { cursor }) } }))
      items.push(...result.items)
      if (result.nextCursor === null) break
      cursor = result.nextCursor
    }
    return items
  })

export interface Candidate {
  readonly device: Device
  readonly slaveName: string
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const lower = (text: string | null | undefined) => (text ?? "").toLowerCase()

/**
 * Which devices a name on the command line means, best tier first: the id, the VirtualHere
 * address, an exact nickname/serial/product (optionally `slave/name`), then a part of any of those.
 */
export const matchDevices = <C extends Candidate>(candidates: ReadonlyArray<C>, text: string): ReadonlyArray<C> => {
  const wanted = text.trim()
  const w = wanted.toLowerCase()
  if (uuid.test(wanted)) return candidates.filter((c) => c.device.id.toLowerCase() === w)
  const byAddress = candidates.filter((c) => sameVhAddress(c.device.vhAddress, wanted))
  if (byAddress.length > 0) return byAddress
  const slash = wanted.indexOf("/")
  const [slavePart, namePart] = slash > 0 ? [w.slice(0, slash), w.slice(slash + 1)] : [undefined, w]
  const inSlave = slavePart === undefined ? candidates : candidates.filter((c) => lower(c.slaveName) === slavePart)
  const exact = inSlave.filter((c) => [c.device.nickname, c.device.serial, c.device.product].some((field) => lower(field) === namePart))
  if (exact.length > 0) return exact
  return inSlave.filter((c) =>
    [c.device.nickname, c.device.serial, c.device.product, c.device.manufacturer, c.slaveName, `${c.device.vendorId}:${c.device.productId}`].some((field) =>
      lower(field).includes(namePart)
    )
  )
}

/** Exactly one match, or a usage error that lists what matched. */
export const single = <C extends Candidate>(matches: ReadonlyArray<C>, text: string, what = "device"): Effect.Effect<C, UsageError> => {
  if (matches.length === 1) return Effect.succeed(matches[0]!)
  if (matches.length === 0) return Effect.fail(new UsageError({ message: `no ${what} matches "${text}" (see \`ncod devices\`)` }))
  const listed = matches
    .slice(0, 8)
    .map((c) => `  ${c.slaveName}/${deviceName(c.device)}  ${c.device.vhAddress}  ${c.device.serial ?? ""}  ${c.device.id}`)
    .join("\n")
  return Effect.fail(new UsageError({ message: `"${text}" matches ${matches.length} devices; name one by address or id:\n${listed}` }))
}

/** The device the user means, among all they may see. */
export const resolveDevice = (text: string) =>
  Effect.gen(function* () {
    const devices = yield* allDevices()
    return yield* single(matchDevices(devices.map((view) => ({ ...view, slaveName: view.slaveName })), text), text)
  })
