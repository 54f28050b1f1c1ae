import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Ref, Schedule, TestClock } from "effect"
import { backoffDelayMs } from "./Backoff.js"
import { supervise } from "./supervise.js"

describe("supervision", () => {
  it.effect("restarts a loop after a failure and after a defect, and keeps it running", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const loop = Effect.gen(function* () {
        const run = yield* Ref.updateAndGet(runs, (n) => n + 1)
        if (run === 1) return yield* Effect.fail("boom")
        if (run === 2) return yield* Effect.die(new Error("a bug"))
        return yield* Effect.never
      })
      const fiber = yield* Effect.fork(supervise("test", loop, Schedule.spaced("1 second")))
      yield* TestClock.adjust("5 seconds")
      expect(yield* Ref.get(runs)).toBe(3)
      yield* Fiber.interrupt(fiber)
    })
  )
})

describe("the retry delay while the master is away", () => {
  it("doubles from the base up to the cap and never drops below half of it", () => {
    const low = (attempt: number) => backoffDelayMs(attempt, 1, 60, () => 0)
    const high = (attempt: number) => backoffDelayMs(attempt, 1, 60, () => 1)
    expect([0, 1, 2, 3, 6, 7, 50].map(high)).toEqual([1000, 2000, 4000, 8000, 60000, 60000, 60000])
    expect([0, 1, 6, 50].map(low)).toEqual([500, 1000, 30000, 30000])
  })
})
