import type { ReportOutcome, SlaveDecommissioned, SlaveId, SlaveReport } from "@ncod/core"
import { SlavesRepo } from "@ncod/sql"
import { Deferred, Effect, Exit, Option, Queue } from "effect"
import { Metrics } from "../metrics/Metrics.js"
import { HeartbeatBatcher } from "./HeartbeatBatcher.js"
import { reportHash } from "./InventoryDiff.js"
import { ReportIngest } from "./ReportIngest.js"

/** What the actor's mailbox carries. */
export type ActorMessage =
  | {
      readonly _tag: "Report"
      readonly report: SlaveReport
      readonly reply: Deferred.Deferred<ReportOutcome, SlaveDecommissioned>
    }
  /** A heartbeat the database refused: take this report down the full path. */
  | { readonly _tag: "Resync"; readonly report: SlaveReport }
  /** The stored state changed behind the actor's back (e.g. the sweep marked the slave offline). */
  | { readonly _tag: "Invalidate" }

/**
 * One slave's reports, one at a time. The actor remembers the inventory hash it believes is
 * stored: an identical report becomes a batched heartbeat (no device rows written), anything else
 * goes through the full, locked comparison. State is rebuilt from the database at every (re)start.
 */
export const runSlaveActor = (slaveId: SlaveId, mailbox: Queue.Queue<ActorMessage>) =>
  Effect.gen(function* () {
    const slaves = yield* SlavesRepo
    const ingest = yield* ReportIngest
    const heartbeats = yield* HeartbeatBatcher
    const metrics = yield* Metrics

    const stored = yield* slaves.findById(slaveId)
    let knownHash: string | null = null
    let lastSeq = Option.match(stored, { onNone: () => 0, onSome: (slave) => slave.lastReportSeq })

    const fullPath = (report: SlaveReport, hash: string) =>
      Effect.map(ingest.full(slaveId, report, hash), (result) => {
        if (Option.isSome(result.slave)) {
          knownHash = hash
          lastSeq = Math.max(lastSeq, report.seq)
        } else {
          // ignored by the database: our picture may be behind, start from it next time
          knownHash = null
        }
        return result.outcome
      })

    const handle = (message: ActorMessage) =>
      Effect.gen(function* () {
        if (message._tag === "Invalidate") {
          knownHash = null
          return
        }
        if (message._tag === "Resync") {
          knownHash = null
          return yield* fullPath(message.report, reportHash(message.report)).pipe(Effect.ignore)
        }
        const { report, reply } = message
        const outcome = yield* Effect.exit(
          Effect.gen(function* () {
            if (report.seq === lastSeq) return "duplicate" as const
            if (report.seq < lastSeq) return "stale" as const
            const hash = reportHash(report)
            if (hash === knownHash) {
              lastSeq = report.seq
              yield* heartbeats.add(
                { slaveId, seq: report.seq, at: new Date(), hash },
                // never block the batcher: if the mailbox is full, the next mismatch asks again
                Effect.sync(() => void mailbox.unsafeOffer({ _tag: "Resync", report }))
              )
              return "unchanged" as const
            }
            return yield* fullPath(report, hash)
          })
        )
        yield* Deferred.done(reply, outcome)
        if (Exit.isSuccess(outcome)) metrics.reportsIngested.inc({ outcome: outcome.value })
        // a defect ends this run after the caller got its answer: the supervisor restarts us clean
        if (Exit.isFailure(outcome) && outcome.cause._tag !== "Fail") return yield* Effect.failCause(outcome.cause)
      })

    return yield* Queue.take(mailbox).pipe(Effect.flatMap(handle), Effect.forever)
  })
