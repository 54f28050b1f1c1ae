import { DateTime, Effect, Option } from "effect"
import { MasterLink } from "../api/MasterLink.js"
import { Settings } from "../config/ClientConfig.js"
import { clientIdentity } from "../lease/Connect.js"
import { deviceName } from "../ui/DeviceText.js"
import { clean, clock, humanDuration, println, stdoutColors as c } from "../ui/Output.js"
import { renderTable } from "../ui/Table.js"
import { bindingIn, listDevices } from "../vh/Binding.js"

/** The session, the VirtualHere client, the leases held (and whether they are bound here), the queue. */
export const status = (json: boolean) =>
  Effect.gen(function* () {
    const link = yield* MasterLink
    const settings = yield* Settings
    const session = yield* link.session
    const leases = yield* link.call((api) => api.leases.mine())
    const queue = yield* link.call((api) => api.leases.myQueue())
    const vh = yield* Effect.either(listDevices)
    const identity = yield* Effect.either(clientIdentity)
    const open = leases.filter((view) => view.lease.state !== "ended")
    const boundHere = (address: string) => (vh._tag === "Right" ? bindingIn(vh.right, address)._tag === "Mine" : null)
    if (json) {
      return yield* println(
        JSON.stringify({
          master: link.baseUrl,
          user: session.user,
          virtualHere: vh._tag === "Right" ? { running: true, hubs: vh.right.hubs.map((hub) => `${hub.host}:${hub.port}`) } : { running: false, problem: vh.left.message },
          clientIdentity: identity._tag === "Right" ? identity.right : null,
          leases: open.map((view) => ({
            leaseId: view.lease.id,
            deviceId: view.device.id,
            device: deviceName(view.device),
            address: view.device.vhAddress,
            slave: view.slaveName,
            state: view.lease.state,
            expiresAt: DateTime.formatIso(view.lease.expiresAt),
            boundHere: boundHere(view.device.vhAddress),
            releaseRequest: view.releaseRequest === null ? null : { username: view.releaseRequest.username, message: view.releaseRequest.message }
          })),
          queue: queue.map((entry) => ({ deviceId: entry.deviceId, position: entry.position, state: entry.state }))
        })
      )
    }
    yield* println(`${c.bold(clean(session.user.displayName))} (${session.user.username}) on ${link.baseUrl}`)
    yield* println(
      vh._tag === "Right"
        ? `VirtualHere client: running${identity._tag === "Right" ? ` as "${identity.right}"` : ""}, ${vh.right.hubs.length} hub(s)`
        : `VirtualHere client: ${c.red("not available")} — ${vh.left.message}`
    )
    if (Option.isNone(settings.clientIdentity) && identity._tag === "Left") yield* println(c.yellow(identity.left.message))
    if (open.length === 0) yield* println("No device held.")
    else {
      const now = Date.now()
      yield* println(
        renderTable(
          ["DEVICE", "ADDRESS", "SLAVE", "LEASE", "ENDS", "BOUND HERE"],
          open.map((view) => {
            const ends = DateTime.toEpochMillis(view.lease.expiresAt)
            const bound = boundHere(view.device.vhAddress)
            return [
              deviceName(view.device),
              view.device.vhAddress,
              clean(view.slaveName),
              view.lease.state,
              `${clock(new Date(ends)).slice(0, 5)} (in ${humanDuration(ends - now)})`,
              bound === null ? "?" : bound ? c.green("yes") : c.yellow("no")
            ]
          }),
          c
        )
      )
      for (const view of open) {
        if (view.releaseRequest !== null) {
          yield* println(
            c.yellow(
              `${clean(view.releaseRequest.displayName)} (${view.releaseRequest.username}) asks for ${deviceName(view.device)}${view.releaseRequest.message ? `: "${clean(view.releaseRequest.message)}"` : ""}`
            )
          )
        }
      }
    }
    if (queue.length > 0) yield* println(`Queued for ${queue.length} device(s): see \`ncod queue\`.`)
  })
