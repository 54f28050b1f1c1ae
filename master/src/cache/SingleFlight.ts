import { Deferred, Effect, FiberId } from "effect"

/**
 * Runs at most one computation per key at a time: callers asking for a key that is being computed
 * wait for that computation instead of starting their own. Without it, a popular cache entry that
 * expires is computed once per request that arrives during the computation (hundreds at 1,000
 * requests/s), and those computations queue for the same database connections.
 *
 * The computation runs in its own fiber, so a caller that hangs up neither cancels it for the others
 * nor leaves them waiting.
 */
export const makeSingleFlight = () => {
  const running = new Map<string, Deferred.Deferred<unknown, unknown>>()
  const run = <A, E, R>(key: string, compute: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.suspend(() => {
      const current = running.get(key) as Deferred.Deferred<A, E> | undefined
      if (current !== undefined) return Deferred.await(current)
      const deferred = Deferred.unsafeMake<A, E>(FiberId.none)
      running.set(key, deferred as Deferred.Deferred<unknown, unknown>)
      const settle = Effect.flatMap(Effect.exit(compute), (exit) =>
        Effect.suspend(() => {
          if (running.get(key) === deferred) running.delete(key)
          return Deferred.done(deferred, exit)
        })
      )
      return Effect.zipRight(Effect.forkDaemon(settle), Deferred.await(deferred))
    })
  return { run, running: (key: string) => running.has(key) }
}
