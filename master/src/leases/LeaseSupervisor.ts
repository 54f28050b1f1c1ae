import { SqlClient } from "@effect/sql"
import { WaitlistOffered } from "@ncod/core"
import { LeasesRepo } from "@ncod/sql"
import { DateTime, Duration, Effect, Layer, Schedule } from "effect"
import { EventBus } from "../events/EventBus.js"
import { Metrics } from "../metrics/Metrics.js"
import { LeaseService } from "./LeaseService.js"
import { LeaseSettings } from "./LeaseSettings.js"

// pg advisory lock key for lease sweeps: one master at a time, the others skip the round
const LEASE_LOCK = 0x6e636f64_02

/**
 * Time-driven lease work, once per round across all masters: expiries, expiry warnings, clients
 * that went silent (suspended, then ended after the grace period), and the waitlist (expired
 * claims, offers to the next in line).
 */
export const LeaseSupervisorLive = Layer.scopedDiscard(
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const leases = yield* LeasesRepo
    const service = yield* LeaseService
    const settings = yield* LeaseSettings
    const bus = yield* EventBus
    const metrics = yield* Metrics

    const round = Effect.gen(function* () {
      const work = yield* sql.withTransaction(
        Effect.gen(function* () {
          const [lock] = yield* sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${LEASE_LOCK}) as locked`
          if (!lock?.locked) return undefined
          const expired = yield* leases.endExpired
          const expiring = yield* leases.takeExpiring(settings.leaseWarnMinutes * 60)
          const silent = yield* leases.suspendSilentClients(settings.leaseKeepAliveSeconds * 2)
          const abandoned = yield* leases.endGraceExpired(settings.leaseGraceSeconds)
          yield* leases.expireOffers
          const offers = yield* leases.makeOffers(settings.claimWindowSeconds)
          return { expired, expiring, silent, abandoned, offers }
        })
      )
      if (work === undefined) return
      for (const lease of work.expired) yield* service.announce(lease, "ended")
      for (const lease of work.expiring) yield* service.announce(lease, "expiring")
      for (const lease of work.silent) yield* service.announce(lease, "suspended")
      for (const lease of work.abandoned) yield* service.announce(lease, "ended")
      const at = yield* DateTime.now
      for (const offer of work.offers) {
        yield* bus.publish(new WaitlistOffered({ deviceId: offer.deviceId, userId: offer.userId, claimExpiresAt: DateTime.unsafeFromDate(offer.claimExpiresAt), at }))
      }
    })

    yield* round.pipe(
      Effect.catchAllCause((cause) =>
        Effect.zipRight(Effect.logError("lease sweep failed", cause), Effect.sync(() => metrics.actorRestarts.inc({ actor: "lease-supervisor" })))
      ),
      Effect.repeat(Schedule.spaced(Duration.seconds(1))),
      Effect.forkScoped
    )
  })
)
