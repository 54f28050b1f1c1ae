import { Clock, Duration, Effect, Option, Ref } from "effect"
import type { Health } from "../agent/Health.js"
import type { Signal } from "../agent/Signals.js"
import { type Enrolled, enrollmentVersion, loadEnrollment } from "./Enrollment.js"
import type { AgentPaths } from "./Paths.js"

/**
 * The enrollment as the running agent sees it: re-read whenever enrollment.json changes, so
 * `enroll` and `deregister` take effect without a restart.
 */
export const makeEnrollmentSource = (paths: AgentPaths, health: Health) =>
  Effect.gen(function* () {
    const cache = yield* Ref.make<{ readonly version: number; readonly value: Option.Option<Enrolled> } | null>(null)

    const current = Effect.gen(function* () {
      const version = yield* enrollmentVersion(paths)
      const cached = yield* Ref.get(cache)
      if (cached !== null && cached.version === version) return cached.value
      const value = yield* loadEnrollment(paths).pipe(
        Effect.tapError((error) => Effect.logError("cannot read the enrollment").pipe(Effect.annotateLogs({ reason: error.message }))),
        Effect.orElseSucceed(() => Option.none<Enrolled>())
      )
      yield* Ref.set(cache, { version, value })
      yield* health.update((h) => ({
        ...h,
        slave: Option.match(value, {
          onNone: () => null,
          onSome: ({ record }) => ({ id: record.slaveId, name: record.name, masterUrl: record.masterUrl })
        })
      }))
      if (cached !== null) {
        yield* Option.match(value, {
          onNone: () => Effect.logWarning("enrollment removed: this slave no longer reports"),
          onSome: ({ record }) => Effect.logInfo("enrollment changed").pipe(Effect.annotateLogs({ slaveId: record.slaveId, master: record.masterUrl }))
        })
      }
      return value
    })

    /**
     * Waits `duration`, but returns early (true) when `signal` fires or enrollment.json changes,
     * checking the file every 2 s. A slave refused by the master reacts to a re-enrollment at once.
     */
    const waitUnlessChanged = (duration: Duration.DurationInput, signal: Signal, since?: number) =>
      Effect.gen(function* () {
        // compare with the enrollment the caller acted on, not the file now: it may already be newer
        const version = since ?? (yield* enrollmentVersion(paths))
        const deadline = (yield* Clock.currentTimeMillis) + Duration.toMillis(Duration.decode(duration))
        for (;;) {
          const left = deadline - (yield* Clock.currentTimeMillis)
          if (left <= 0) return false
          if (yield* signal.sleepOrWake(Math.min(left, 2_000))) return true
          if ((yield* enrollmentVersion(paths)) !== version) return true
        }
      })

    /** Has enrollment.json changed since `version` (a credential refused a moment ago may be stale)? */
    const changedSince = (version: number) => Effect.map(enrollmentVersion(paths), (now) => now !== version)

    return { current, waitUnlessChanged, changedSince }
  })

export type EnrollmentSource = Effect.Effect.Success<ReturnType<typeof makeEnrollmentSource>>
