import type { ReportOutcome, SlaveDecommissioned, SlaveId, SlaveReport } from "@ncod/core"
import { SlavesRepo } from "@ncod/sql"
import { Cause, Effect, Exit, Option } from "effect"
import { Metrics } from "../metrics/Metrics.js"
import { HeartbeatBatcher } from "./HeartbeatBatcher.js"
import { reportHash } from "./InventoryDiff.js"
import { ReportIngest } from "./ReportIngest.js"

/**
 * One slave's actor: what it believes is stored, and its turn. It is a virtual actor (as in
 * Orleans): plain state that exists for every known slave, and a report is handled in its caller's
 * fiber once it holds the slave's turn — one report at a time per slave, no fiber or mailbox kept
 * while the slave is quiet. A fiber per slave cost ~40 KiB of heap each, and at 10,000 slaves the
 * garbage collector spent a fifth of the master's CPU walking them.
 */
export interface SlaveActor {
  readonly slaveId: SlaveId
  /** One permit: whoever holds it handles this slave's next report. */
  readonly turn: Effect.Semaphore
  /** The inventory hash this master believes is stored; null: take the next report the full way. */
  knownHash: string | null
  /** The last sequence number taken; null until read from the database (new actor, or after a crash). */
  lastSeq: number | null
}

/** A new actor; without a known state its first report reads the stored one. */
export const makeSlaveActor = (slaveId: SlaveId, known: Pick<SlaveActor, "knownHash" | "lastSeq"> = { knownHash: null, lastSeq: null }): SlaveActor => ({
  slaveId,
  turn: Effect.unsafeMakeSemaphore(1),
  ...known
})

/** Forget what the actor believes is stored: the next report goes the full, locked way. */
export const invalidateActor = (actor: SlaveActor) => {
  actor.knownHash = null
}

/**
 * Taking a report: an identical report becomes a batched heartbeat (no device rows written),
 * anything else goes through the full, locked comparison. Handling is uninterruptible — a report
 * half-taken is finished even if its caller hangs up — and a defect resets the actor (its state is
 * read again from the database) and reaches only this caller, as an actor restart would.
 */
export const makeActorRuntime = Effect.gen(function* () {
  const slaves = yield* SlavesRepo
  const ingest = yield* ReportIngest
  const heartbeats = yield* HeartbeatBatcher
  const metrics = yield* Metrics

  // A new (or reset) actor starts from the stored sequence and inventory hash. Trusting the stored
  // hash is safe: a heartbeat only lands where the row is online with that very hash, and anything
  // else sends the report down the full path — so after a master restart 10,000 slaves' next
  // reports are heartbeats, not 10,000 inventory transactions.
  const loadState = (actor: SlaveActor) =>
    actor.lastSeq !== null
      ? Effect.succeed(actor.lastSeq)
      : Effect.map(slaves.reportStateOf(actor.slaveId), (stored) => {
          actor.lastSeq = Option.match(stored, { onNone: () => 0, onSome: (state) => Number(state.lastReportSeq) })
          actor.knownHash = Option.match(stored, { onNone: () => null, onSome: (state) => state.inventoryHash })
          return actor.lastSeq
        })

  const fullPath = (actor: SlaveActor, report: SlaveReport, hash: string) =>
    Effect.map(ingest.full(actor.slaveId, report, hash), (result) => {
      if (Option.isSome(result.slave)) {
        actor.knownHash = hash
        actor.lastSeq = Math.max(actor.lastSeq ?? 0, report.seq)
      } else {
        // ignored by the database: our picture may be behind, start from it next time
        actor.knownHash = null
      }
      return result.outcome
    })

  const inTurn = <A, E, R>(actor: SlaveActor, work: Effect.Effect<A, E, R>) =>
    actor.turn.withPermits(1)(
      Effect.uninterruptible(
        Effect.onExit(work, (exit) =>
          Exit.isFailure(exit) && !Cause.isFailType(exit.cause) && !Cause.isInterruptedOnly(exit.cause)
            ? Effect.zipRight(
                Effect.sync(() => {
                  actor.knownHash = null
                  actor.lastSeq = null
                  metrics.actorRestarts.inc({ actor: "slave" })
                }),
                Effect.logError("slave actor crashed; restarting").pipe(
                  Effect.annotateLogs({ slaveId: actor.slaveId }),
                  Effect.annotateLogs("cause", Cause.pretty(exit.cause))
                )
              )
            : Effect.void
        )
      )
    )

  /** A heartbeat the database refused: take that report down the full path, off the batcher's fiber. */
  const resync = (actor: SlaveActor, report: SlaveReport) =>
    inTurn(
      actor,
      Effect.suspend(() => {
        actor.knownHash = null
        return fullPath(actor, report, reportHash(report))
      })
    ).pipe(Effect.ignore, Effect.forkDaemon, Effect.asVoid)

  const receive = (actor: SlaveActor, report: SlaveReport): Effect.Effect<ReportOutcome, SlaveDecommissioned> =>
    inTurn(
      actor,
      Effect.gen(function* () {
        const lastSeq = yield* loadState(actor)
        if (report.seq === lastSeq) return "duplicate" as const
        if (report.seq < lastSeq) return "stale" as const
        const hash = reportHash(report)
        if (hash === actor.knownHash) {
          actor.lastSeq = report.seq
          yield* heartbeats.add({ slaveId: actor.slaveId, seq: report.seq, at: new Date(), hash }, resync(actor, report))
          return "unchanged" as const
        }
        return yield* fullPath(actor, report, hash)
      })
    ).pipe(Effect.tap((outcome) => Effect.sync(() => metrics.reportsIngested.inc({ outcome }))))

  return { receive }
})
