import { Context, Duration, Effect, Layer, Option, Schedule } from "effect"
import type { Redis } from "ioredis"
import { RedisConnection } from "./Redis.js"

/**
 * Short-lived shared state: failure counters, lockouts, login challenges, revoked token ids.
 * Redis when configured (shared by every master), else a map in this process.
 */
export class EphemeralStore extends Context.Tag("@ncod/master/EphemeralStore")<
  EphemeralStore,
  {
    /** Adds one and returns the new count; the key expires `ttlSeconds` after its first increment. */
    readonly increment: (key: string, ttlSeconds: number) => Effect.Effect<number>
    readonly set: (key: string, value: string, ttlSeconds: number) => Effect.Effect<void>
    /** Seconds until the key expires, or None when it does not exist. */
    readonly ttl: (key: string) => Effect.Effect<Option.Option<number>>
    readonly get: (key: string) => Effect.Effect<Option.Option<string>>
    /** Reads and deletes in one step: what a single-use value needs. */
    readonly take: (key: string) => Effect.Effect<Option.Option<string>>
    readonly remove: (key: string) => Effect.Effect<void>
  }
>() {}

const redisStore = (redis: Redis, PREFIX: string): EphemeralStore["Type"] => {
  const run = <A>(command: () => Promise<A>) => Effect.promise(command)
  return {
    increment: (key, ttlSeconds) =>
      run(async () => {
        const [[, count]] = (await redis.multi().incr(PREFIX + key).expire(PREFIX + key, ttlSeconds, "NX").exec()) as [
          [unknown, number]
        ]
        return count
      }),
    set: (key, value, ttlSeconds) => run(() => redis.set(PREFIX + key, value, "EX", ttlSeconds)).pipe(Effect.asVoid),
    ttl: (key) => run(() => redis.ttl(PREFIX + key)).pipe(Effect.map((ttl) => (ttl > 0 ? Option.some(ttl) : Option.none()))),
    get: (key) => run(() => redis.get(PREFIX + key)).pipe(Effect.map(Option.fromNullable)),
    take: (key) => run(() => redis.getdel(PREFIX + key)).pipe(Effect.map(Option.fromNullable)),
    remove: (key) => run(() => redis.del(PREFIX + key)).pipe(Effect.asVoid)
  }
}

const memoryStore = Effect.gen(function* () {
  const entries = new Map<string, { value: string; expiresAt: number }>()
  const live = (key: string) => {
    const entry = entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expiresAt <= Date.now()) {
      entries.delete(key)
      return undefined
    }
    return entry
  }
  // expired entries are dropped on read; this sweep bounds memory for keys nobody reads again
  yield* Effect.sync(() => {
    const now = Date.now()
    for (const [key, entry] of entries) if (entry.expiresAt <= now) entries.delete(key)
  }).pipe(Effect.repeat(Schedule.spaced(Duration.minutes(1))), Effect.forkScoped)

  const store: EphemeralStore["Type"] = {
    increment: (key, ttlSeconds) =>
      Effect.sync(() => {
        const entry = live(key)
        const count = entry ? Number(entry.value) + 1 : 1
        entries.set(key, { value: String(count), expiresAt: entry?.expiresAt ?? Date.now() + ttlSeconds * 1000 })
        return count
      }),
    set: (key, value, ttlSeconds) => Effect.sync(() => void entries.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 })),
    ttl: (key) =>
      Effect.sync(() => Option.map(Option.fromNullable(live(key)), (e) => Math.max(1, Math.ceil((e.expiresAt - Date.now()) / 1000)))),
    get: (key) => Effect.sync(() => Option.map(Option.fromNullable(live(key)), (e) => e.value)),
    take: (key) =>
      Effect.sync(() => {
        const entry = live(key)
        entries.delete(key)
        return Option.map(Option.fromNullable(entry), (e) => e.value)
      }),
    remove: (key) => Effect.sync(() => void entries.delete(key))
  }
  return store
})

export const ephemeralStoreLayer = (prefix: string) =>
  Layer.scoped(
    EphemeralStore,
    Effect.flatMap(RedisConnection, (redis) =>
      Option.match(redis, { onNone: () => memoryStore, onSome: (client) => Effect.succeed(redisStore(client, prefix)) })
    )
  )
