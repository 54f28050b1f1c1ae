import type { SlaveId } from "@ncod/core"
import { Context, Effect, Layer } from "effect"

/**
 * Slaves whose report this master is taking right now (in the slave's actor, waiting for its turn
 * or for a database connection). The offline sweep spares them, and the heartbeats still waiting
 * for their batch: silence means that no report arrived, not that writing one is slow. Under a
 * cold fleet's first reports the database queue can hold a slave's heartbeat longer than the
 * offline limit; without this the sweep marked such slaves offline (and suspended their leases)
 * while they were reporting.
 */
export class ReportsInFlight extends Context.Tag("@ncod/master/ReportsInFlight")<
  ReportsInFlight,
  {
    /** Runs `effect` with `slaveId` counted as reporting. */
    readonly during: <A, E, R>(slaveId: SlaveId, effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
    readonly slaves: Effect.Effect<ReadonlyArray<SlaveId>>
  }
>() {}

export const ReportsInFlightLive = Layer.sync(ReportsInFlight, () => {
  const counts = new Map<SlaveId, number>()
  const add = (slaveId: SlaveId, delta: number) =>
    Effect.sync(() => {
      const next = (counts.get(slaveId) ?? 0) + delta
      if (next <= 0) counts.delete(slaveId)
      else counts.set(slaveId, next)
    })
  return {
    during: (slaveId, effect) => Effect.acquireUseRelease(add(slaveId, 1), () => effect, () => add(slaveId, -1)),
    slaves: Effect.sync(() => [...counts.keys()])
  }
})
