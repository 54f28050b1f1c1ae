import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import { makeSingleFlight } from "./SingleFlight.js"

describe("single flight", () => {
  it.effect("runs one computation per key for every caller that asks while it runs, and a new one after", () =>
    Effect.gen(function* () {
      const flights = makeSingleFlight()
      const gate = yield* Deferred.make<void>()
      let runs = 0
      const compute = Effect.zipRight(Deferred.await(gate), Effect.sync(() => ++runs))
      const callers = yield* Effect.forkAll(Array.from({ length: 10 }, () => flights.run("a", compute)))
      const other = yield* Effect.fork(flights.run("b", compute))
      yield* Effect.yieldNow()
      expect(flights.running("a")).toBe(true)
      yield* Deferred.succeed(gate, undefined)
      const answers = yield* Fiber.join(callers)
      expect(new Set(answers).size).toBe(1)
      expect(yield* Fiber.join(other)).not.toBe(answers[0])
      expect(runs).toBe(2)
      expect(flights.running("a")).toBe(false)
      expect(yield* flights.run("a", compute)).toBe(3)
    })
  )

  it.effect("gives every waiting caller the failure, then computes again", () =>
    Effect.gen(function* () {
      const flights = makeSingleFlight()
      const gate = yield* Deferred.make<void>()
      let runs = 0
      const failing = Effect.zipRight(Deferred.await(gate), Effect.suspend(() => Effect.fail(`run ${++runs}`)))
      const callers = yield* Effect.forkAll(Array.from({ length: 3 }, () => Effect.flip(flights.run("k", failing))))
      yield* Effect.yieldNow()
      yield* Deferred.succeed(gate, undefined)
      expect(yield* Fiber.join(callers)).toEqual(["run 1", "run 1", "run 1"])
      expect(yield* Effect.flip(flights.run("k", failing))).toBe("run 2")
    })
  )

  it.effect("finishes the computation for the others when the caller that started it hangs up", () =>
    Effect.gen(function* () {
      const flights = makeSingleFlight()
      const gate = yield* Deferred.make<void>()
      const compute = Effect.as(Deferred.await(gate), "page")
      const starter = yield* Effect.fork(flights.run("k", compute))
      yield* Effect.yieldNow()
      const waiter = yield* Effect.fork(flights.run("k", compute))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(starter)
      yield* Deferred.succeed(gate, undefined)
      expect(yield* Fiber.join(waiter)).toBe("page")
    })
  )
})
