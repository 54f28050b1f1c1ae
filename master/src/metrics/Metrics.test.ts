import { describe, expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { spawnSync } from "node:child_process"
import { rawGet, testHttpClientLayer, testMasterLayer } from "../testing/TestMaster.js"

const promtool = spawnSync("promtool", ["--version"]).status === 0

describe.runIf(promtool || process.env["CI"])("the /metrics exposition", () => {
  layer(Layer.provideMerge(testHttpClientLayer, testMasterLayer()), { timeout: 120_000 })("checked by promtool", (it) => {
    it.effect("passes promtool check metrics: base units, _total only on counters, help on everything", () =>
      Effect.gen(function* () {
        const scrape = yield* Effect.flatMap(rawGet("/metrics"), (response) => response.text)
        const result = spawnSync("promtool", ["check", "metrics"], { input: scrape, encoding: "utf8" })
        expect(result.error, "promtool must be installed in CI (Debian package prometheus)").toBeUndefined()
        expect(`${result.stdout}${result.stderr}`.trim()).toBe("")
        expect(result.status).toBe(0)
      })
    )
  })
})
if (!promtool && !process.env["CI"]) console.warn("[not run] promtool check metrics: promtool is not installed (apt-get install prometheus)")

describe("the /metrics exposition", () => {
  layer(Layer.provideMerge(testHttpClientLayer, testMasterLayer()), { timeout: 120_000 })("on an idle master", (it) => {
    it.effect("does not count its own gauge queries as requests waiting for a database connection", () =>
      Effect.gen(function* () {
        // an idle master: anything waiting at scrape time would be the scrape's own count queries
        for (let i = 0; i < 3; i++) {
          const scrape = yield* Effect.flatMap(rawGet("/metrics"), (response) => response.text)
          expect(scrape).toMatch(/^ncod_db_pool_connections\{state="waiting"\} 0$/m)
        }
      })
    )
  })
})
