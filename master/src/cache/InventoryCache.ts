import { Context, Effect, Layer, Option, Schema, Stream } from "effect"
import type { Redis } from "ioredis"
import { EventBus } from "../events/EventBus.js"
import { RedisConnection } from "../infra/Redis.js"
import { Metrics } from "../metrics/Metrics.js"

const TTL_SECONDS = 30
const MEMORY_ENTRIES = 5_000

/**
 * Caches inventory reads (device lists, slave lists). Every entry belongs to a generation; any
 * inventory event bumps the generation, so a change is visible at the next read without tracking
 * which entries it touched. Redis when configured (shared by masters), else this process.
 */
export class InventoryCache extends Context.Tag("@ncod/master/InventoryCache")<
  InventoryCache,
  {
    readonly cached: <A, I>(key: string, schema: Schema.Schema<A, I>, compute: Effect.Effect<A>) => Effect.Effect<A>
    readonly invalidate: Effect.Effect<void>
  }
>() {}

const redisCache = (redis: Redis, prefix: string, metrics: typeof Metrics.Service): InventoryCache["Type"] => {
  const genKey = `${prefix}inventory:gen`
  return {
    cached: <A, I>(key: string, schema: Schema.Schema<A, I>, compute: Effect.Effect<A>) =>
      Effect.gen(function* () {
        const generation = (yield* Effect.promise(() => redis.get(genKey))) ?? "0"
        const entryKey = `${prefix}inventory:${generation}:${key}`
        const hit = yield* Effect.promise(() => redis.get(entryKey))
        if (hit !== null) {
          const decoded = yield* Schema.decodeUnknown(Schema.parseJson(schema))(hit).pipe(Effect.option)
          if (Option.isSome(decoded)) {
            metrics.cacheRequests.inc({ result: "hit" })
            return decoded.value
          }
        }
        metrics.cacheRequests.inc({ result: "miss" })
        const value = yield* compute
        const encoded = yield* Schema.encode(Schema.parseJson(schema))(value).pipe(Effect.orDie)
        yield* Effect.promise(() => redis.set(entryKey, encoded, "EX", TTL_SECONDS))
        return value
      }),
    invalidate: Effect.promise(() => redis.incr(genKey)).pipe(Effect.asVoid)
  }
}

const memoryCache = (metrics: typeof Metrics.Service): InventoryCache["Type"] => {
  let generation = 0
  const entries = new Map<string, { generation: number; expiresAt: number; value: unknown }>()
  return {
    cached: <A, I>(key: string, _schema: Schema.Schema<A, I>, compute: Effect.Effect<A>) =>
      Effect.gen(function* () {
        const entry = entries.get(key)
        if (entry !== undefined && entry.generation === generation && entry.expiresAt > Date.now()) {
          metrics.cacheRequests.inc({ result: "hit" })
          return entry.value as A
        }
        metrics.cacheRequests.inc({ result: "miss" })
        const started = generation
        const value = yield* compute
        if (entries.size >= MEMORY_ENTRIES) entries.clear()
        // a change that landed while computing makes this value stale already: do not keep it
        if (started === generation) entries.set(key, { generation, expiresAt: Date.now() + TTL_SECONDS * 1000, value })
        return value
      }),
    invalidate: Effect.sync(() => {
      generation++
    })
  }
}

export const inventoryCacheLayer = (prefix: string) =>
  Layer.scoped(
    InventoryCache,
    Effect.gen(function* () {
      const metrics = yield* Metrics
      const redis = yield* RedisConnection
      const cache = Option.match(redis, { onNone: () => memoryCache(metrics), onSome: (client) => redisCache(client, prefix, metrics) })
      const bus = yield* EventBus
      yield* bus.subscribe.pipe(
        Stream.filter((event) => event._tag !== "AccountStatusChanged" && event._tag !== "MachineStatusChanged"),
        Stream.runForEach(() => cache.invalidate),
        Effect.forkScoped
      )
      return cache
    })
  )
