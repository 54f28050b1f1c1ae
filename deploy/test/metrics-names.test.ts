import { describe, expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { rawGet, testHttpClientLayer, testMasterLayer } from "../../master/src/testing/TestMaster.js"
import { dashboardExpressions, rulesExpressions } from "./expressions.js"
import { exportedFamilies, isExported, metricNames, PROMETHEUS_SYNTHETIC } from "./promql.js"

// Every metric name the Grafana dashboard and the alert rules use must be exported by a real
// master's /metrics: a panel or alert on a name nobody exports shows nothing and never fires.

const token = "deploy-test-metrics-token-0123456789"

// A backup status file like backup.sh writes, so the master exports the backup timestamp.
const statusDir = fs.mkdtempSync(path.join(os.tmpdir(), "ncod-deploy-test-"))
const statusFile = path.join(statusDir, "status.json")
fs.writeFileSync(statusFile, JSON.stringify({ format: 1, status: "ok", label: "base-20260101T023000Z", finished_unix: 1767234600 }))
process.on("exit", () => fs.rmSync(statusDir, { recursive: true, force: true }))

const TestLayer = Layer.provideMerge(testHttpClientLayer, testMasterLayer({ NCOD_METRICS_TOKEN: token, NCOD_BACKUP_STATUS_FILE: statusFile }))

describe("names used by the dashboard and the alerts", () => {
  layer(TestLayer, { timeout: 120_000 })("against a real master's /metrics", (it) => {
    it.effect("are all exported", () =>
      Effect.gen(function* () {
        const response = yield* rawGet("/metrics", { authorization: `Bearer ${token}` })
        expect(response.status).toBe(200)
        const families = exportedFamilies(yield* response.text)
        const missing = [...dashboardExpressions(), ...rulesExpressions()].flatMap(({ where, expr }) =>
          [...metricNames(expr)].filter((name) => !PROMETHEUS_SYNTHETIC.has(name) && !isExported(name, families)).map((name) => `${name} (${where})`)
        )
        expect([...new Set(missing)].sort()).toEqual([])
      })
    )
  })
})
