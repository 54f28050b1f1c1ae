import { SqlClient } from "@effect/sql"
import { type Duration, Effect, Option, Schedule } from "effect"
import { Metrics } from "../metrics/Metrics.js"

/**
 * Work that must happen once per round however many masters run: each round is one transaction
 * that first takes a transaction-scoped PostgreSQL advisory lock; a master that does not get it
 * skips the round. Returns None when skipped.
 */
export const underRoundLock = <A, E, R>(lockKey: number, work: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return yield* sql.withTransaction(
      Effect.gen(function* () {
        const [lock] = yield* sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${lockKey}) as locked`
        return lock?.locked ? Option.some(yield* work) : Option.none<A>()
      })
    )
  })

/** Runs `round` every `every`, forever, logging and counting failures instead of stopping. */
export const repeatRounds = <E, R>(name: string, every: Duration.DurationInput, round: Effect.Effect<void, E, R>) =>
  Effect.flatMap(Metrics, (metrics) =>
    round.pipe(
      Effect.catchAllCause((cause) =>
        Effect.zipRight(Effect.logError(`${name} failed`, cause), Effect.sync(() => metrics.actorRestarts.inc({ actor: name })))
      ),
      Effect.repeat(Schedule.spaced(every)),
      Effect.forkScoped
    )
  )
