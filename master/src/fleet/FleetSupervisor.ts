import type { ReportOutcome, SlaveDecommissioned, SlaveId, SlaveReport } from "@ncod/core"
import { SlavesRepo } from "@ncod/sql"
import { Context, Effect, Layer, Stream } from "effect"
import { EventBus } from "../events/EventBus.js"
import { ReportsInFlight } from "./ReportsInFlight.js"
import { invalidateActor, makeActorRuntime, makeSlaveActor, type SlaveActor } from "./SlaveActor.js"

/**
 * One actor per known slave (see SlaveActor: virtual actors, state without a fiber). Actors exist
 * for every active slave from boot and on enrollment, go on decommission or deletion, and a crash
 * while handling a report resets only that slave's actor, which reads its state from the database
 * again.
 */
export class FleetSupervisor extends Context.Tag("@ncod/master/FleetSupervisor")<
  FleetSupervisor,
  {
    readonly submit: (slaveId: SlaveId, report: SlaveReport) => Effect.Effect<ReportOutcome, SlaveDecommissioned>
    readonly ensure: (slaveId: SlaveId) => Effect.Effect<void>
    /** A new actor for a slave that has just (re-)enrolled: stored with sequence 0 and no inventory. */
    readonly enrolled: (slaveId: SlaveId) => Effect.Effect<void>
    readonly stop: (slaveId: SlaveId) => Effect.Effect<void>
    readonly size: Effect.Effect<number>
  }
>() {}

export const FleetSupervisorLive = Layer.scoped(
  FleetSupervisor,
  Effect.gen(function* () {
    const actors = new Map<SlaveId, SlaveActor>()
    const runtime = yield* makeActorRuntime
    const inFlight = yield* ReportsInFlight

    const actorOf = (slaveId: SlaveId) => {
      let actor = actors.get(slaveId)
      if (actor === undefined) {
        actor = makeSlaveActor(slaveId)
        actors.set(slaveId, actor)
      }
      return actor
    }

    // every active slave's actor starts from the stored state read in one query: after a restart a
    // fleet's first reports then cost no query each (a stale row is safe, as with a lazy read: a
    // heartbeat lands only on an online row with that hash, and sequence numbers only grow)
    const slaves = yield* SlavesRepo
    for (const state of yield* slaves.activeReportStates) {
      actors.set(state.id, makeSlaveActor(state.id, { lastSeq: state.lastReportSeq, knownHash: state.inventoryHash }))
    }

    // a slave marked offline (by this master's sweep or another's) must come back through the full
    // path with its next report, so that report brings it online at once; in the actor's turn, so a
    // report being handled cannot overwrite it
    const bus = yield* EventBus
    yield* bus.subscribe.pipe(
      Stream.runForEach((event) => {
        const actor = event._tag === "SlaveStatusChanged" && event.status !== "online" ? actors.get(event.slaveId) : undefined
        return actor === undefined ? Effect.void : Effect.forkDaemon(actor.turn.withPermits(1)(Effect.sync(() => invalidateActor(actor))))
      }),
      Effect.forkScoped
    )

    return {
      submit: (slaveId, report) => inFlight.during(slaveId, Effect.suspend(() => runtime.receive(actorOf(slaveId), report))),
      ensure: (slaveId) => Effect.sync(() => void actorOf(slaveId)),
      // enrollment has just written that state, so the slave's first report need not read it (a
      // cold fleet's first reports are mostly round trips to the database); a stale belief is
      // safe, as at boot: anything but a known hash takes the full, locked path
      enrolled: (slaveId) => Effect.sync(() => void actors.set(slaveId, makeSlaveActor(slaveId, { lastSeq: 0, knownHash: null }))),
      stop: (slaveId) => Effect.sync(() => void actors.delete(slaveId)),
      size: Effect.sync(() => actors.size)
    }
  })
)
