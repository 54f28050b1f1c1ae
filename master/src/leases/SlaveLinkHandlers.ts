import { GrantAdded, GrantRevoked, GrantsSnapshot, type SlaveId, type SlaveLinkMessage, SlaveLinkRpc } from "@ncod/core"
import { DevicesRepo, LeasesRepo } from "@ncod/sql"
import { DateTime, Duration, Effect, Option, Schedule, Stream } from "effect"
import { EventBus } from "../events/EventBus.js"
import { SlaveCredentials } from "../fleet/SlaveCredentials.js"

/**
 * A slave agent's live link: the grants its authorization hook enforces. A full snapshot first and
 * every minute (a missed update heals itself), and each lease change on this slave in between.
 */
export const SlaveLinkHandlers = SlaveLinkRpc.toLayer(
  Effect.gen(function* () {
    const credentials = yield* SlaveCredentials
    const leases = yield* LeasesRepo
    const devices = yield* DevicesRepo
    const bus = yield* EventBus

    const snapshot = (slaveId: SlaveId) =>
      Effect.map(Effect.all([leases.grantsForSlave(slaveId), DateTime.now]), ([grants, at]) => new GrantsSnapshot({ grants, at }))

    const changeFor = (leaseId: Parameters<typeof leases.grantFor>[0], deviceId: Parameters<typeof devices.findById>[0], reason: string) =>
      Effect.gen(function* () {
        const at = yield* DateTime.now
        const grant = yield* leases.grantFor(leaseId)
        if (Option.isSome(grant)) return new GrantAdded({ grant: grant.value, at }) as SlaveLinkMessage
        const device = yield* devices.findById(deviceId)
        return new GrantRevoked({ leaseId, deviceId, vhAddress: Option.match(device, { onNone: () => "", onSome: (d) => d.vhAddress }), reason, at }) as SlaveLinkMessage
      })

    return {
      SlaveGrants: ({ credential }) =>
        Stream.unwrap(
          Effect.gen(function* () {
            const slave = yield* credentials.verify(credential)
            const changes = bus.subscribe.pipe(
              Stream.filter(
                (event) =>
                  event._tag === "LeaseChanged" &&
                  event.slaveId === slave.slaveId &&
                  // a lease nobody attached to yet never granted anything: nothing to add or revoke
                  (event.lease.clientIdentity !== null || event.lease.state === "ended")
              ),
              Stream.mapEffect((event) =>
                event._tag === "LeaseChanged" ? changeFor(event.lease.id, event.lease.deviceId, event.lease.endReason ?? event.lease.state) : Effect.die("filtered")
              )
            )
            const resyncs = Stream.repeatEffectWithSchedule(snapshot(slave.slaveId), Schedule.spaced(Duration.minutes(1)))
            return Stream.merge(changes, resyncs)
          })
        )
    }
  })
)
