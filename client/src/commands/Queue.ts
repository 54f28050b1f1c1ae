import { DateTime, Effect } from "effect"
import { MasterLink } from "../api/MasterLink.js"
import { deviceName } from "../ui/DeviceText.js"
import { clock, println, stdoutColors as c } from "../ui/Output.js"
import { renderTable } from "../ui/Table.js"
import { allDevices, resolveDevice } from "./Devices.js"
import { findMyLease } from "./Disconnect.js"

/** The devices the user waits for, with their place in line. */
export const showQueue = (json: boolean) =>
  Effect.gen(function* () {
    const link = yield* MasterLink
    const entries = yield* link.call((api) => api.leases.myQueue())
    const devices = new Map((yield* allDevices()).map((view) => [view.device.id, view] as const))
    if (json) {
      return yield* println(
        JSON.stringify(
          entries.map((entry) => ({
            deviceId: entry.deviceId,
            device: devices.has(entry.deviceId) ? deviceName(devices.get(entry.deviceId)!.device) : null,
            position: entry.position,
            state: entry.state,
            claimExpiresAt: entry.claimExpiresAt === null ? null : DateTime.formatIso(entry.claimExpiresAt)
          }))
        )
      )
    }
    if (entries.length === 0) return yield* println("You are not queued for any device.")
    yield* println(
      renderTable(
        ["DEVICE", "SLAVE", "POSITION", "STATE"],
        entries.map((entry) => {
          const view = devices.get(entry.deviceId)
          return [
            view ? deviceName(view.device) : entry.deviceId,
            view?.slaveName ?? "",
            String(entry.position),
            entry.state === "offered" && entry.claimExpiresAt
              ? c.green(`yours until ${clock(DateTime.toDate(entry.claimExpiresAt)).slice(0, 5)}: ncod connect`)
              : entry.state
          ]
        }),
        c
      )
    )
  })

export const joinQueue = (deviceText: string) =>
  Effect.gen(function* () {
    const link = yield* MasterLink
    const view = yield* resolveDevice(deviceText)
    const entry = yield* link.call((api) => api.leases.enqueue({ path: { id: view.device.id } }))
    yield* println(`Queued for ${deviceName(view.device)}: position ${entry.position}. \`ncod watch\` tells you when it is yours.`)
  })

export const leaveQueue = (deviceText: string) =>
  Effect.gen(function* () {
    const link = yield* MasterLink
    const view = yield* resolveDevice(deviceText)
    yield* link.call((api) => api.leases.dequeue({ path: { id: view.device.id } }))
    yield* println(`Left the queue for ${deviceName(view.device)}.`)
  })

export const renew = (deviceText: string, minutes: number | undefined) =>
  Effect.gen(function* () {
    const link = yield* MasterLink
    const view = yield* findMyLease(deviceText)
    const renewed = yield* link.call((api) => api.leases.renew({ path: { id: view.lease.id }, payload: minutes === undefined ? {} : { minutes } }))
    yield* println(`The lease on ${deviceName(view.device)} now ends at ${clock(DateTime.toDate(renewed.lease.expiresAt)).slice(0, 5)}.`)
  })

export const decline = (deviceText: string) =>
  Effect.gen(function* () {
    const link = yield* MasterLink
    const view = yield* findMyLease(deviceText)
    yield* link.call((api) => api.leases.declineRelease({ path: { id: view.lease.id } }))
    yield* println(`Declined the release request for ${deviceName(view.device)}; the asker is told.`)
  })
