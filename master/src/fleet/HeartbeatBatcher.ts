import type { SlaveId } from "@ncod/core"
import { type HeartbeatRow, SlavesRepo } from "@ncod/sql"
import { Context, Duration, Effect, Layer, Schedule } from "effect"
import { Metrics } from "../metrics/Metrics.js"
import { FleetSettings } from "./FleetSettings.js"

interface Pending {
  readonly row: HeartbeatRow
  readonly onMismatch: Effect.Effect<void>
}

/**
 * The cheap half of a report: "still here, nothing changed". Heartbeats are collected and written
 * in one statement per flush (the node-lease idea: heartbeat apart from inventory). A heartbeat the
 * database refuses — the slave went offline, or another master wrote a newer inventory — calls
 * back so the actor sends that report down the full path.
 */
export class HeartbeatBatcher extends Context.Tag("@ncod/master/HeartbeatBatcher")<
  HeartbeatBatcher,
  {
    readonly add: (row: HeartbeatRow, onMismatch: Effect.Effect<void>) => Effect.Effect<void>
    /** Slaves with a heartbeat taken but not yet written (waiting for its batch, or in it). */
    readonly unwritten: Effect.Effect<ReadonlyArray<SlaveId>>
  }
>() {}

export const HeartbeatBatcherLive = Layer.scoped(
  HeartbeatBatcher,
  Effect.gen(function* () {
    const slaves = yield* SlavesRepo
    const settings = yield* FleetSettings
    const metrics = yield* Metrics
    let pending = new Map<SlaveId, Pending>()
    let writing = new Map<SlaveId, Pending>()

    const flush = Effect.gen(function* () {
      if (pending.size === 0) return
      const batch = pending
      pending = new Map()
      writing = batch
      const updated = yield* slaves.heartbeats([...batch.values()].map((entry) => entry.row)).pipe(
        Effect.ensuring(Effect.sync(() => void (writing = new Map())))
      )
      for (const [slaveId, entry] of batch) if (!updated.has(slaveId)) yield* entry.onMismatch
    })

    yield* flush.pipe(
      Effect.catchAllCause((cause) =>
        Effect.zipRight(
          Effect.logError("heartbeat flush failed", cause),
          Effect.sync(() => metrics.actorRestarts.inc({ actor: "heartbeat-batcher" }))
        )
      ),
      Effect.repeat(Schedule.spaced(Duration.millis(settings.heartbeatFlushMs))),
      Effect.forkScoped
    )
    // heartbeats accepted just before shutdown are still written
    yield* Effect.addFinalizer(() => flush.pipe(Effect.ignore))

    return {
      add: (row, onMismatch) =>
        Effect.sync(() => {
          pending.set(row.slaveId, { row, onMismatch })
        }),
      unwritten: Effect.sync(() => [...new Set([...pending.keys(), ...writing.keys()])])
    }
  })
)
