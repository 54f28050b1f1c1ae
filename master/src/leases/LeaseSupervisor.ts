import { WaitlistOffered } from "@ncod/core"
import { LeasesRepo } from "@ncod/sql"
import { DateTime, Duration, Effect, Layer, Option } from "effect"
import { EventBus } from "../events/EventBus.js"
import { repeatRounds, underRoundLock } from "../infra/SingleRun.js"
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
    const leases = yield* LeasesRepo
    const service = yield* LeaseService
    const settings = yield* LeaseSettings
    const bus = yield* EventBus

    const round = Effect.gen(function* () {
      const locked = yield* underRoundLock(
        LEASE_LOCK,
        Effect.gen(function* () {
          const expired = yield* leases.endExpired
          const expiring = yield* leases.takeExpiring(settings.leaseWarnMinutes * 60)
          const silent = yield* leases.suspendSilentClients(settings.leaseKeepAliveSeconds * 2)
          const abandoned = yield* leases.endGraceExpired(settings.leaseGraceSeconds)
          yield* leases.expireOffers
          const offers = yield* leases.makeOffers(settings.claimWindowSeconds)
          return { expired, expiring, silent, abandoned, offers }
        })
      )
      if (Option.isNone(locked)) return
      const work = locked.value
      for (const lease of work.expired) yield* service.announce(lease, "ended")
      for (const lease of work.expiring) yield* service.announce(lease, "expiring")
      for (const lease of work.silent) yield* service.announce(lease, "suspended")
      for (const lease of work.abandoned) yield* service.announce(lease, "ended")
      const at = yield* DateTime.now
      for (const offer of work.offers) {
        yield* bus.publish(new WaitlistOffered({ deviceId: offer.deviceId, userId: offer.userId, claimExpiresAt: DateTime.unsafeFromDate(offer.claimExpiresAt), at }))
      }
    })

    yield* repeatRounds("lease-supervisor", Duration.seconds(1), round)
  })
)
