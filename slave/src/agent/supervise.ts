import { Cause, Effect, Schedule } from "effect"

/**
 * Restarts of a crashed fiber: from half a second, doubling, never more than 30 s apart, jittered,
 * and back to the start once a run has stayed up for a minute.
 */
export const restartSchedule = Schedule.exponential("500 millis").pipe(
  Schedule.union(Schedule.spaced("30 seconds")),
  Schedule.jittered,
  Schedule.resetAfter("1 minute")
)

/**
 * Runs one of the agent's loops for good: a failure or a defect (a thrown bug) is logged and the
 * loop starts again under `restartSchedule`; only interruption (the agent stopping) ends it.
 * `Effect.retry` alone would let a defect through, hence the sandbox.
 */
export const supervise = <E, R>(name: string, loop: Effect.Effect<never, E, R>, schedule: Schedule.Schedule<unknown, unknown> = restartSchedule) =>
  loop.pipe(
    Effect.sandbox,
    Effect.tapError((cause) =>
      Cause.isInterruptedOnly(cause)
        ? Effect.void
        : Effect.logError(`${name} stopped unexpectedly; restarting it`).pipe(Effect.annotateLogs({ fiber: name, cause: Cause.pretty(cause) }))
    ),
    Effect.retry({ schedule, while: (cause) => !Cause.isInterruptedOnly(cause) }),
    Effect.unsandbox,
    Effect.annotateLogs({ fiber: name })
  )
