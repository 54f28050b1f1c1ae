import { EventsRpc, type LiveEvent, type Principal, Unauthenticated } from "@ncod/core"
import { DevicesRepo, GrantsRepo } from "@ncod/sql"
import { Duration, Effect, Stream } from "effect"
import { AccessControl } from "../auth/AccessControl.js"
import { visibilityFor } from "../fleet/Visibility.js"
import { EventBus } from "./EventBus.js"

/** A fleet event is about this slave, and about this device when it names one. */
export interface FleetTarget {
  readonly slaveId: string
  readonly deviceId: string | null
}

/**
 * Which events a subscriber may see: admins everything; users their own affairs, and fleet events
 * only about what their grants cover (the answer `FleetTarget` says what to check), the same
 * devices `GET /devices` shows them.
 */
export const visibleTo =
  (caller: Principal) =>
  (event: LiveEvent): boolean | FleetTarget => {
    if (caller.role === "admin" && caller.status === "approved") return true
    switch (event._tag) {
      case "AccountStatusChanged":
      case "MachineStatusChanged":
        return event.userId === caller.userId
      case "LeaseChanged":
        return event.lease.userId === caller.userId
      case "WaitlistOffered":
        return event.userId === caller.userId
      case "ReleaseRequested":
        return event.holderUserId === caller.userId || event.requestedBy.userId === caller.userId
      case "ReleaseDeclined":
        return event.requesterUserId === caller.userId
      case "SlaveStatusChanged":
        return caller.status === "approved" && { slaveId: event.slaveId, deviceId: null }
      case "DeviceAdded":
      case "DeviceChanged":
        return caller.status === "approved" && { slaveId: event.device.slaveId, deviceId: event.device.id }
      case "DeviceRemoved":
        return caller.status === "approved" && { slaveId: event.slaveId, deviceId: event.deviceId }
      case "Resync":
        return caller.status === "approved"
    }
  }

// a copy of someone's grants is re-read after a grant change on this master, and otherwise
// trusted this long (a grant changed on another master, or a user moved to another unit)
const scopeMaxAgeMs = 10_000
// an event the copy does not cover re-reads it at most this often
const missRecheckMs = 1_000

/** Judges fleet events against the caller's grants, read once and refreshed as described above. */
const grantCheck = (caller: Principal) =>
  Effect.gen(function* () {
    const devices = yield* DevicesRepo
    const grants = yield* GrantsRepo
    const load = Effect.flatMap(visibilityFor(caller), devices.grantScope)
    let seenChanges = yield* grants.localChanges
    let scope = yield* load
    let loadedAt = Date.now()
    const covers = (target: FleetTarget) =>
      scope.slaveIds.has(target.slaveId) ||
      (target.deviceId === null ? scope.deviceSlaveIds.has(target.slaveId) : scope.deviceIds.has(target.deviceId))
    return (target: FleetTarget) =>
      Effect.gen(function* () {
        const age = Date.now() - loadedAt
        const changes = yield* grants.localChanges
        if (changes !== seenChanges || age > scopeMaxAgeMs || (!covers(target) && age > missRecheckMs)) {
          seenChanges = changes
          scope = yield* load
          loadedAt = Date.now()
        }
        return covers(target)
      })
  })

/**
 * `SubscribeEvents`: checks the token like any route, then streams what the caller may see until
 * the token expires (the client resubscribes with a fresh token).
 */
export const EventsRpcHandlers = EventsRpc.toLayer(
  Effect.gen(function* () {
    const access = yield* AccessControl
    const bus = yield* EventBus
    const context = yield* Effect.context<DevicesRepo | GrantsRepo | Effect.Effect.Context<ReturnType<typeof visibilityFor>>>()
    return {
      SubscribeEvents: ({ accessToken }) =>
        Stream.unwrap(
          Effect.gen(function* () {
            const caller = yield* access.signedIn(accessToken).pipe(Effect.mapError(() => new Unauthenticated()))
            const remaining = Duration.millis(Math.max(0, caller.expiresAt.getTime() - Date.now()))
            const judge = visibleTo(caller)
            const covered = caller.role === "admin" ? () => Effect.succeed(true) : yield* Effect.provide(grantCheck(caller), context)
            return bus.subscribe.pipe(
              Stream.filterEffect((event) => {
                const verdict = judge(event)
                return typeof verdict === "boolean" ? Effect.succeed(verdict) : Effect.provide(covered(verdict), context)
              }),
              // what the caller may see depends on their account: when it changes, end the stream
              // (after delivering the change) so the client resubscribes and is judged afresh
              Stream.takeUntil((event) => event._tag === "AccountStatusChanged" && event.userId === caller.userId),
              Stream.interruptWhen(Effect.sleep(remaining))
            )
          })
        )
    }
  })
)
