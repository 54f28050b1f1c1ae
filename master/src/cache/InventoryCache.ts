import { createHash } from "node:crypto"
import { gzipSync } from "node:zlib"
import { Context, Effect, Layer, Option, Schema, Stream } from "effect"
import type { Redis } from "ioredis"
import { EventBus } from "../events/EventBus.js"
import { RedisConnection } from "../infra/Redis.js"
import { Metrics } from "../metrics/Metrics.js"
import { makeMemo } from "./Memo.js"
import { makeSingleFlight } from "./SingleFlight.js"

export const TTL_SECONDS = 30
/**
 * A hit on an entry this close to its expiry computes the next one in the background, so a page
 * read all the time never expires in front of a request.
 */
export const REFRESH_AHEAD_MS = 5_000
const MEMORY_ENTRIES = 5_000

/**
 * A response body as the API would send it (the schema's encoded form as JSON), its ETag (weak: the
 * gzip and plain forms are the same page), and its bytes and gzip form, each made once when first
 * asked for.
 */
export class CachedJson {
  #bytes: Uint8Array | undefined
  #gzip: Uint8Array | undefined
  constructor(
    readonly body: string,
    readonly etag: string
  ) {}
  /** The body as UTF-8, encoded once: sending the string would encode it again on every hit. */
  get bytes(): Uint8Array {
    this.#bytes ??= Buffer.from(this.body, "utf8")
    return this.#bytes
  }
  get gzip(): Uint8Array {
    this.#gzip ??= gzipSync(this.bytes)
    return this.#gzip
  }
}

const etagOf = (body: string) => `W/"${createHash("sha1").update(body).digest("base64url")}"`

/**
 * Caches inventory reads (device lists, slave lists). Every entry belongs to a generation; any
 * inventory event bumps the generation, so a change is visible at the next read without tracking
 * which entries it touched. Redis when configured (shared by masters), else this process.
 *
 * `cachedJson` keeps the encoded body: a hit is then sent as it is, without encoding the page
 * through the response schema again (that encoding was most of a hit's cost).
 */
export class InventoryCache extends Context.Tag("@ncod/master/InventoryCache")<
  InventoryCache,
  {
    readonly cached: <A, I>(key: string, schema: Schema.Schema<A, I>, compute: Effect.Effect<A>) => Effect.Effect<A>
    readonly cachedJson: <A, I>(key: string, schema: Schema.Schema<A, I>, compute: Effect.Effect<A>) => Effect.Effect<CachedJson>
    readonly invalidate: Effect.Effect<void>
  }
>() {}

const encodeJson = <A, I>(schema: Schema.Schema<A, I>, value: A) =>
  Schema.encode(schema)(value).pipe(
    Effect.orDie,
    Effect.map((encoded) => {
      const body = JSON.stringify(encoded)
      return new CachedJson(body, etagOf(body))
    })
  )

/**
 * In Redis an entry is `<etag> <body>`: one GET gives both. The generation is asked of Redis on every
 * read; an entry of the current generation seen before is then taken from this process (its key
 * names the generation, so it cannot be stale), which saves the second round trip and keeps its
 * gzip form.
 */
export const redisCache = (redis: Redis, prefix: string, metrics: typeof Metrics.Service): InventoryCache["Type"] => {
  const genKey = `${prefix}inventory:gen`
  const local = new Map<string, { readonly json: CachedJson; readonly expiresAt: number }>()
  const keepLocally = (entryKey: string, json: CachedJson) => {
    if (local.size >= MEMORY_ENTRIES) local.clear()
    local.set(entryKey, { json, expiresAt: Date.now() + TTL_SECONDS * 1000 })
  }
  const lookup = (key: string) =>
    Effect.gen(function* () {
      const generation = (yield* Effect.promise(() => redis.get(genKey))) ?? "0"
      const entryKey = `${prefix}inventory:${generation}:${key}`
      const seen = local.get(entryKey)
      if (seen !== undefined && seen.expiresAt > Date.now()) return { entryKey, json: seen.json }
      const hit = yield* Effect.promise(() => redis.get(entryKey))
      const space = hit === null ? -1 : hit.indexOf(" ")
      const json = hit !== null && space > 0 ? new CachedJson(hit.slice(space + 1), hit.slice(0, space)) : null
      if (json !== null) keepLocally(entryKey, json)
      return { entryKey, json }
    })
  // the entry key names the generation: requests after a change never join a computation from before it
  const flights = makeSingleFlight()
  const fill = <A, I>(entryKey: string, schema: Schema.Schema<A, I>, compute: Effect.Effect<A>) =>
    Effect.zipRight(
      Effect.sync(() => metrics.cacheRequests.inc({ result: "miss" })),
      flights.run(
        entryKey,
        Effect.gen(function* () {
          const value = yield* compute
          const json = yield* encodeJson(schema, value)
          yield* Effect.promise(() => redis.set(entryKey, `${json.etag} ${json.body}`, "EX", TTL_SECONDS))
          keepLocally(entryKey, json)
          return { value, json }
        })
      )
    )
  return {
    cached: <A, I>(key: string, schema: Schema.Schema<A, I>, compute: Effect.Effect<A>) =>
      Effect.gen(function* () {
        const { entryKey, json } = yield* lookup(key)
        if (json !== null) {
          const decoded = yield* Schema.decodeUnknown(Schema.parseJson(schema))(json.body).pipe(Effect.option)
          if (Option.isSome(decoded)) {
            metrics.cacheRequests.inc({ result: "hit" })
            return decoded.value
          }
        }
        return (yield* fill(entryKey, schema, compute)).value
      }),
    cachedJson: <A, I>(key: string, schema: Schema.Schema<A, I>, compute: Effect.Effect<A>) =>
      Effect.gen(function* () {
        const { entryKey, json } = yield* lookup(key)
        if (json !== null) {
          metrics.cacheRequests.inc({ result: "hit" })
          return json
        }
        return (yield* fill(entryKey, schema, compute)).json
      }),
    invalidate: Effect.promise(() => redis.incr(genKey)).pipe(Effect.asVoid)
  }
}

/** A computed value, and its encoded page once a caller asked for it. */
interface MemoryEntry {
  readonly value: unknown
  json: CachedJson | undefined
}

export const memoryCache = (metrics: typeof Metrics.Service, now: () => number = Date.now): InventoryCache["Type"] => {
  // a change drops every entry (and any computation in flight): no need to know which it touched
  const memo = makeMemo<MemoryEntry>({
    ttlMs: TTL_SECONDS * 1000,
    refreshAheadMs: REFRESH_AHEAD_MS,
    maxEntries: MEMORY_ENTRIES,
    onLookup: (hit) => metrics.cacheRequests.inc({ result: hit ? "hit" : "miss" }),
    now
  })
  const entry = <A>(key: string, compute: Effect.Effect<A>) =>
    memo.get(key, Effect.map(compute, (value): MemoryEntry => ({ value, json: undefined })))
  return {
    cached: <A, I>(key: string, _schema: Schema.Schema<A, I>, compute: Effect.Effect<A>) =>
      Effect.map(entry(key, compute), (found) => found.value as A),
    cachedJson: <A, I>(key: string, schema: Schema.Schema<A, I>, compute: Effect.Effect<A>) =>
      Effect.gen(function* () {
        const found = yield* entry(key, compute)
        if (found.json === undefined) found.json = yield* encodeJson(schema, found.value as A)
        return found.json
      }),
    invalidate: Effect.sync(memo.clear)
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
