import { describe, expect, it } from "@effect/vitest"
import type { Slave, SlaveId } from "@ncod/core"
import { SlavesRepo } from "@ncod/sql"
import { Cause, Deferred, Effect, Exit, Fiber, Layer, Option } from "effect"
import { makeMetrics, Metrics } from "../metrics/Metrics.js"
import { demoReported, makeReport } from "../testing/FleetFixtures.js"
import { HeartbeatBatcher } from "./HeartbeatBatcher.js"
import { reportHash } from "./InventoryDiff.js"
import { ReportIngest } from "./ReportIngest.js"
import { makeActorRuntime, makeSlaveActor } from "./SlaveActor.js"

const slaveA = "00000000-0000-4000-8000-00000000000a" as SlaveId
const slaveB = "00000000-0000-4000-8000-00000000000b" as SlaveId
const report = (seq: number) => makeReport(seq, "lab", demoReported(1, 2, "lab"))
const stored = Option.some({ lastReportSeq: 4 } as Slave)

/** The actor runtime over stand-ins for the database parts; `full` decides what ingestion does. */
const runtimeWith = (full: ReportIngest["Type"]["full"], storedHash: string | null = null) =>
  Effect.gen(function* () {
    const metrics = makeMetrics()
    let lookups = 0
    const reportStateOf = () =>
      Effect.sync(() => {
        lookups++
        return Option.some({ lastReportSeq: 4, inventoryHash: storedHash })
      })
    const layer = Layer.mergeAll(
      Layer.succeed(SlavesRepo, { reportStateOf } as unknown as SlavesRepo),
      Layer.succeed(ReportIngest, { full }),
      Layer.succeed(HeartbeatBatcher, { add: () => Effect.void, unwritten: Effect.succeed([]) }),
      Layer.succeed(Metrics, metrics)
    )
    const runtime = yield* Effect.provide(makeActorRuntime, layer)
    const restarts = Effect.promise(async () => (await metrics.actorRestarts.get()).values.reduce((n, v) => n + v.value, 0))
    return { runtime, restarts, lookups: () => lookups }
  })

describe("slave actors", () => {
  it.effect("a defect while taking a report resets only that slave's actor, which reads its state again", () =>
    Effect.gen(function* () {
      let calls = 0
      const { lookups, restarts, runtime } = yield* runtimeWith(() =>
        Effect.suspend(() => (++calls === 2 ? Effect.die(new Error("boom")) : Effect.succeed({ outcome: "changed" as const, slave: stored })))
      )
      const a = makeSlaveActor(slaveA)
      const b = makeSlaveActor(slaveB)
      expect(yield* runtime.receive(b, report(5))).toBe("changed")
      const crashed = yield* Effect.exit(runtime.receive(a, report(5)))
      expect(Exit.isFailure(crashed) && Cause.isDie(crashed.cause)).toBe(true)
      expect(yield* restarts).toBe(1)
      expect([a.lastSeq, a.knownHash]).toEqual([null, null])
      // the other actor kept its state: its next identical report is a heartbeat
      expect(yield* runtime.receive(b, report(6))).toBe("unchanged")

      expect(yield* runtime.receive(a, report(5))).toBe("changed")
      expect(lookups()).toBe(3)
      expect(yield* runtime.receive(a, report(6))).toBe("unchanged")
      expect(yield* runtime.receive(a, report(6))).toBe("duplicate")
      expect(yield* runtime.receive(a, report(3))).toBe("stale")
    })
  )

  it.effect("starts from the stored inventory hash: after a restart an unchanged report is a heartbeat", () =>
    Effect.gen(function* () {
      let calls = 0
      const { lookups, runtime } = yield* runtimeWith(
        () => Effect.sync(() => (calls++, { outcome: "changed" as const, slave: stored })),
        reportHash(report(5))
      )
      const a = makeSlaveActor(slaveA)
      expect(yield* runtime.receive(a, report(5))).toBe("unchanged")
      expect([calls, lookups()]).toEqual([0, 1])
      const changed = makeReport(6, "lab", demoReported(1, 3, "lab"))
      expect(yield* runtime.receive(a, changed)).toBe("changed")
      expect(calls).toBe(1)
    })
  )

  it.live("takes one slave's reports one at a time, and finishes a report whose caller went away", () =>
    Effect.gen(function* () {
      let running = 0
      let most = 0
      let finished = 0
      const started = yield* Deferred.make<void>()
      const { runtime } = yield* runtimeWith(() =>
        Effect.gen(function* () {
          running++
          most = Math.max(most, running)
          yield* Deferred.succeed(started, undefined)
          yield* Effect.sleep("50 millis")
          running--
          finished++
          return { outcome: "changed" as const, slave: Option.none() }
        })
      )
      const a = makeSlaveActor(slaveA)
      const first = yield* Effect.fork(runtime.receive(a, report(5)))
      yield* Deferred.await(started)
      // the caller hangs up while its report is being taken
      yield* Fiber.interrupt(first)
      expect(finished).toBe(1)
      // ignored by the "database" (no slave returned): every report goes the full way, one at a time
      const outcomes = yield* Effect.all([runtime.receive(a, report(6)), runtime.receive(a, report(7)), runtime.receive(a, report(8))], { concurrency: "unbounded" })
      expect(outcomes).toEqual(["changed", "changed", "changed"])
      expect(most).toBe(1)
      expect(finished).toBe(4)
    })
  )
})
