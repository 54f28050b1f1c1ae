import type { ReportOutcome, SlaveDecommissioned, SlaveId, SlaveReport } from "@ncod/core"
import { SlavesRepo } from "@ncod/sql"
import { Context, Deferred, Duration, Effect, FiberMap, Layer, Queue, Schedule, Stream } from "effect"
import { EventBus } from "../events/EventBus.js"
import { Metrics } from "../metrics/Metrics.js"
import { type ActorMessage, runSlaveActor } from "./SlaveActor.js"

const MAILBOX_SIZE = 16

/**
 * Restart policy for actors: quick at first, then backing off, never giving up; a minute without a
 * crash starts over at 100 ms, so one bad report long ago does not slow down the next restart.
 */
const restarts = Schedule.exponential(Duration.millis(100), 2).pipe(
  Schedule.either(Schedule.spaced(Duration.seconds(30))),
  Schedule.resetAfter(Duration.minutes(1)),
  Schedule.jittered
)

/**
 * One supervised actor per known slave (a FiberMap keyed by slave id). Actors start for every
 * active slave at boot and on enrollment, stop on decommission or deletion, and a crashed actor —
 * defects included — restarts from the database without touching the others.
 */
export class FleetSupervisor extends Context.Tag("@ncod/master/FleetSupervisor")<
  FleetSupervisor,
  {
    readonly submit: (slaveId: SlaveId, report: SlaveReport) => Effect.Effect<ReportOutcome, SlaveDecommissioned>
    readonly ensure: (slaveId: SlaveId) => Effect.Effect<void>
    readonly stop: (slaveId: SlaveId) => Effect.Effect<void>
    readonly size: Effect.Effect<number>
  }
>() {}

export const FleetSupervisorLive = Layer.scoped(
  FleetSupervisor,
  Effect.gen(function* () {
    const actors = yield* FiberMap.make<SlaveId>()
    const mailboxes = new Map<SlaveId, Queue.Queue<ActorMessage>>()
    const metrics = yield* Metrics
    const context = yield* Effect.context<Effect.Effect.Context<ReturnType<typeof runSlaveActor>>>()

    const supervised = (slaveId: SlaveId, mailbox: Queue.Queue<ActorMessage>) =>
      runSlaveActor(slaveId, mailbox).pipe(
        Effect.sandbox,
        Effect.tapError((cause) =>
          Effect.zipRight(
            Effect.logError("slave actor crashed; restarting").pipe(Effect.annotateLogs({ slaveId }), Effect.annotateLogs("cause", String(cause))),
            Effect.sync(() => metrics.actorRestarts.inc({ actor: "slave" }))
          )
        ),
        Effect.retry(restarts),
        Effect.provide(context)
      )

    const ensure = (slaveId: SlaveId) =>
      Effect.gen(function* () {
        if (mailboxes.has(slaveId)) return mailboxes.get(slaveId)!
        const mailbox = yield* Queue.bounded<ActorMessage>(MAILBOX_SIZE)
        mailboxes.set(slaveId, mailbox)
        yield* FiberMap.run(actors, slaveId, supervised(slaveId, mailbox))
        return mailbox
      })

    const stop = (slaveId: SlaveId) =>
      Effect.gen(function* () {
        const mailbox = mailboxes.get(slaveId)
        mailboxes.delete(slaveId)
        yield* FiberMap.remove(actors, slaveId)
        if (mailbox) yield* Queue.shutdown(mailbox)
      })

    const submit = (slaveId: SlaveId, report: SlaveReport) =>
      Effect.gen(function* () {
        const mailbox = yield* ensure(slaveId)
        const reply = yield* Deferred.make<ReportOutcome, SlaveDecommissioned>()
        yield* Queue.offer(mailbox, { _tag: "Report", report, reply })
        return yield* Deferred.await(reply)
      })

    const slaves = yield* SlavesRepo
    for (const slaveId of yield* slaves.activeIds) yield* ensure(slaveId)

    // a slave marked offline (by this master's sweep or another's) must come back through the full
    // path with its next report, so that report brings it online at once
    const bus = yield* EventBus
    yield* bus.subscribe.pipe(
      Stream.runForEach((event) =>
        Effect.sync(() => {
          if (event._tag === "SlaveStatusChanged" && event.status !== "online") {
            mailboxes.get(event.slaveId)?.unsafeOffer({ _tag: "Invalidate" })
          }
        })
      ),
      Effect.forkScoped
    )

    return { submit, ensure: (slaveId) => Effect.asVoid(ensure(slaveId)), stop, size: FiberMap.size(actors) }
  })
)
