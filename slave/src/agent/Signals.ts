import { type Duration, Effect, Queue } from "effect"

/**
 * A wake-up call between fibers: `wake` never blocks and many wakes before a `wait` collapse into
 * one (a sliding queue of one). `sleepOrWake` is how a loop waits for "its time or something
 * happened", whichever comes first.
 */
export const makeSignal = Effect.map(Queue.sliding<void>(1), (queue) => ({
  wake: Queue.offer(queue, undefined).pipe(Effect.asVoid),
  /** true when woken, false when the time ran out. */
  sleepOrWake: (duration: Duration.DurationInput) =>
    Effect.raceFirst(Effect.as(Queue.take(queue), true), Effect.as(Effect.sleep(duration), false)),
  /** Forgets a pending wake-up (the work it asked for is about to be done anyway). */
  clear: Effect.asVoid(Queue.takeAll(queue))
}))

export type Signal = Effect.Effect.Success<typeof makeSignal>

/** The agent's wake-up calls. */
export const makeSignals = Effect.all({
  /** vhusbd or ServerWatch saw a change: scan now. */
  scan: makeSignal,
  /** The inventory changed: report now. */
  inventoryChanged: makeSignal,
  /** The master answered on one channel: the other stops waiting out its backoff. */
  masterBackForReports: makeSignal,
  masterBackForLink: makeSignal,
  /** enrollment.json changed (enrolled, re-enrolled, deregistered). */
  enrollmentChanged: makeSignal
})

export type Signals = Effect.Effect.Success<typeof makeSignals>
