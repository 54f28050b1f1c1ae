import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Fiber, Ref, TestClock } from "effect"
import { buildListCommand, VhClientNotRunning } from "../vh/index.js"
import { makeTransport, VhTransportBusy } from "./VhTransport.js"

const list = buildListCommand()

describe("the transport policy shared by every transport", () => {
  it.effect("retries a busy pipe and then answers", () =>
    Effect.gen(function* () {
      const attempts = yield* Ref.make(0)
      const transport = yield* makeTransport(() =>
        Ref.updateAndGet(attempts, (n) => n + 1).pipe(
          Effect.flatMap((n) => (n < 3 ? Effect.fail(new VhTransportBusy({ detail: "pipe busy" })) : Effect.succeed("OK\n")))
        )
      )
      const fiber = yield* Effect.fork(transport.send(list))
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(fiber)).toBe("OK\n")
      expect(yield* Ref.get(attempts)).toBe(3)
    })
  )

  it.effect("gives up on a pipe that stays busy with a command failure", () =>
    Effect.gen(function* () {
      const transport = yield* makeTransport(() => Effect.fail(new VhTransportBusy({ detail: "pipe busy" })))
      const fiber = yield* Effect.fork(Effect.either(transport.send(list)))
      yield* TestClock.adjust("10 seconds")
      const result = yield* Fiber.join(fiber)
      expect(Either.isLeft(result) && result.left._tag).toBe("VhCommandFailed")
    })
  )

  it.effect("does not retry a client that is not running", () =>
    Effect.gen(function* () {
      const attempts = yield* Ref.make(0)
      const transport = yield* makeTransport(() =>
        Ref.update(attempts, (n) => n + 1).pipe(Effect.zipRight(Effect.fail(new VhClientNotRunning({ detail: "no pipe" }))))
      )
      const result = yield* Effect.either(transport.send(list))
      expect(Either.isLeft(result) && result.left._tag).toBe("VhClientNotRunning")
      expect(yield* Ref.get(attempts)).toBe(1)
    })
  )

  it.effect("times out after the per-command limit, 5 seconds by default", () =>
    Effect.gen(function* () {
      const transport = yield* makeTransport(() => Effect.never)
      const fiber = yield* Effect.fork(Effect.either(transport.send(list)))
      yield* TestClock.adjust("4999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      const result = yield* Fiber.join(fiber)
      expect(Either.isLeft(result) && result.left).toMatchObject({ _tag: "VhTimeout", command: "LIST", timeoutMillis: 5000 })
    })
  )

  it.effect("runs one command at a time", () =>
    Effect.gen(function* () {
      const inFlight = yield* Ref.make(0)
      const peak = yield* Ref.make(0)
      const transport = yield* makeTransport(() =>
        Ref.updateAndGet(inFlight, (n) => n + 1).pipe(
          Effect.tap((n) => Ref.update(peak, (p) => Math.max(p, n))),
          Effect.zipRight(Effect.sleep("100 millis")),
          Effect.zipRight(Ref.update(inFlight, (n) => n - 1)),
          Effect.as("OK\n")
        )
      )
      const fiber = yield* Effect.fork(Effect.all([transport.send(list), transport.send(list), transport.send(list)], { concurrency: "unbounded" }))
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      expect(yield* Ref.get(peak)).toBe(1)
    })
  )
})
