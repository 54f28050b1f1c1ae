import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Schema } from "effect"
import { Redis } from "ioredis"
import { gunzipSync } from "node:zlib"
import { makeMetrics } from "../metrics/Metrics.js"
import { memoryCache, REFRESH_AHEAD_MS, redisCache, TTL_SECONDS } from "./InventoryCache.js"

const Row = Schema.Struct({ id: Schema.NumberFromString, at: Schema.DateFromString })
const Rows = Schema.Array(Row)

const redisUrl = process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379"

const caches = {
  "in this process": () => Effect.succeed(memoryCache(makeMetrics())),
  "in Redis": () => {
    const prefix = `ncod-cache-test-${process.pid}-${Math.random().toString(36).slice(2)}:`
    return Effect.acquireRelease(
      Effect.sync(() => new Redis(redisUrl, { maxRetriesPerRequest: 1 })),
      // entries expire by themselves; the generation counter does not
      (redis) => Effect.promise(() => redis.del(`${prefix}inventory:gen`).then(() => redis.quit()))
    ).pipe(Effect.map((redis) => redisCache(redis, prefix, makeMetrics())))
  }
}

describe.each(Object.entries(caches))("the inventory cache %s", (_name, make) => {
  it.scoped("keeps the encoded page and its ETag, computes once per generation, and again after invalidate", () =>
    Effect.gen(function* () {
      const cache = yield* make()
      let computed = 0
      let rows = [{ id: 1, at: new Date("2026-12-01T10:00:00.000Z") }]
      const compute = Effect.sync(() => {
        computed++
        return rows
      })
      const first = yield* cache.cachedJson("page", Rows, compute)
      expect(first.body).toBe(JSON.stringify([{ id: "1", at: "2026-12-01T10:00:00.000Z" }]))
      expect(first.etag).toMatch(/^W\/"[\w-]{27}"$/)
      expect(gunzipSync(first.gzip).toString("utf8")).toBe(first.body)
      expect(yield* cache.cachedJson("page", Rows, compute)).toEqual(first)
      expect(yield* cache.cached("page", Rows, compute)).toEqual(rows)
      expect(computed).toBe(1)

      rows = [...rows, { id: 2, at: new Date("2026-12-01T11:00:00.000Z") }]
      expect((yield* cache.cachedJson("page", Rows, compute)).etag).toBe(first.etag)
      yield* cache.invalidate
      const second = yield* cache.cachedJson("page", Rows, compute)
      expect(computed).toBe(2)
      expect(second.etag).not.toBe(first.etag)
      expect(JSON.parse(second.body)).toHaveLength(2)
      expect(yield* cache.cached("other", Rows, compute)).toEqual(rows)
      expect(computed).toBe(3)
    })
  )
})

describe.each(Object.entries(caches))("the inventory cache %s under concurrent requests", (_name, make) => {
  it.scopedLive("computes a missing page once however many requests ask for it at the same time", () =>
    Effect.gen(function* () {
      const cache = yield* make()
      let computed = 0
      const slow = Effect.sleep("20 millis").pipe(
        Effect.zipRight(Effect.sync(() => [{ id: ++computed, at: new Date("2026-12-01T10:00:00.000Z") }]))
      )
      const pages = yield* Effect.all(Array.from({ length: 50 }, () => cache.cachedJson("busy", Rows, slow)), { concurrency: "unbounded" })
      expect(computed).toBe(1)
      expect(new Set(pages.map((page) => page.body)).size).toBe(1)
      // after a change, requests never join a computation that started before it
      yield* cache.invalidate
      yield* cache.cachedJson("busy", Rows, slow)
      expect(computed).toBe(2)
    })
  )
})

describe("the inventory cache in this process, near an entry's expiry", () => {
  it.effect("answers from the old entry while one background computation replaces it", () =>
    Effect.gen(function* () {
      let clock = 1_000_000
      const cache = memoryCache(makeMetrics(), () => clock)
      let computed = 0
      const gate = yield* Deferred.make<void>()
      const compute = Effect.suspend(() => {
        computed++
        return computed === 1 ? Effect.succeed([{ id: 1, at: new Date(0) }]) : Effect.as(Deferred.await(gate), [{ id: computed, at: new Date(0) }])
      })
      const first = yield* cache.cachedJson("page", Rows, compute)
      clock += TTL_SECONDS * 1000 - REFRESH_AHEAD_MS + 1
      // inside the refresh window: the old page at once, and one refresh however many hits
      expect(yield* cache.cachedJson("page", Rows, compute)).toBe(first)
      expect(yield* cache.cachedJson("page", Rows, compute)).toBe(first)
      for (let tries = 0; tries < 100; tries++) yield* Effect.yieldNow()
      expect(computed).toBe(2)
      yield* Deferred.succeed(gate, undefined)
      let next = yield* cache.cachedJson("page", Rows, compute)
      for (let tries = 0; next === first && tries < 100; tries++) {
        yield* Effect.yieldNow()
        next = yield* cache.cachedJson("page", Rows, compute)
      }
      expect(JSON.parse(next.body)).toEqual([{ id: "2", at: new Date(0).toISOString() }])
      expect(computed).toBe(2)
    })
  )
})
