import { type Dashboard, DashboardCursorSync, type FieldConfigSource, MappingType, ThresholdsMode } from "@grafana/schema"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import dashboardJson from "../monitoring/grafana/dashboards/ncod.json" with { type: "json" }
import { allPanels, dashboardExpressions, monitoringDir, rulesExpressions } from "./expressions.js"
import { metricNames, PROMETHEUS_SYNTHETIC } from "./promql.js"

/**
 * A JSON import types every string as `string`, never as the literal a Grafana enum or union asks
 * for (thresholds mode "absolute", mapping type "value"): compare against the schema with its
 * literals widened, and check those values against the schema's runtime enums below.
 */
type Widen<T> = T extends string
  ? string
  : T extends number
    ? number
    : T extends boolean
      ? boolean
      : T extends ReadonlyArray<infer U>
        ? Array<Widen<U>>
        : T extends object
          ? { [K in keyof T]: Widen<T[K]> }
          : T

/**
 * Assigning a JSON import checks missing fields and wrong kinds but, unlike an object literal,
 * not unknown fields. This maps every field the schema does not know to `never`, so a misspelt
 * or misplaced field fails too. Unions in the schema (Panel | RowPanel) are tried one by one;
 * `unknown` in the schema (panel options, query targets) accepts anything.
 */
type Exact<A, S> = unknown extends S
  ? A
  : S extends unknown
    ? A extends ReadonlyArray<infer AE>
      ? S extends ReadonlyArray<infer SE>
        ? ReadonlyArray<Exact<AE, SE>>
        : never
      : A extends object
        ? S extends object
          ? { [K in keyof A]: K extends keyof S ? Exact<A[K], Exclude<S[K], undefined>> : never }
          : never
        : A
    : never

// Compile-time check (`npx tsc -p deploy/test`): the provisioned JSON has the shape of Grafana's
// own dashboard model from @grafana/schema, the version of the Grafana image in docker-compose.yml:
// field names, nesting and value kinds.
const dashboard: Widen<Dashboard> = dashboardJson
const noUnknownFields: Exact<typeof dashboardJson, Widen<Dashboard>> = dashboardJson
void noUnknownFields

interface Grid {
  readonly x: number
  readonly y: number
  readonly w: number
  readonly h: number
}

const provisionedDatasourceUid = (): string => {
  const text = fs.readFileSync(path.join(monitoringDir, "grafana/provisioning/datasources/prometheus.yml"), "utf8")
  const uid = /^\s+uid:\s*(\S+)\s*$/m.exec(text)?.[1]
  if (!uid) throw new Error("no uid in the datasource provisioning file")
  return uid
}

describe("the Grafana dashboard", () => {
  const panels = allPanels(dashboard.panels ?? []) as ReadonlyArray<{
    id: number
    type: string
    title: string
    gridPos: Grid
    datasource?: { uid?: string }
    targets?: ReadonlyArray<{ refId: string; expr: string; datasource?: { uid?: string } }>
  }>

  it("has a stable uid, unique panel ids and a panel for each area the issue names", () => {
    expect(dashboard.uid).toBe("ncod-overview")
    const ids = panels.map((panel) => panel.id)
    expect(new Set(ids).size).toBe(ids.length)
    const rows = panels.filter((panel) => panel.type === "row").map((panel) => panel.title)
    expect(rows).toEqual(expect.arrayContaining(["Fleet", "Devices", "Leases and users", "HTTP"]))
    expect(rows.some((title) => title.startsWith("Database"))).toBe(true)
  })

  it("uses only values Grafana's enums allow where the type check sees plain strings", () => {
    expect(Object.values(DashboardCursorSync)).toContain(dashboard.graphTooltip)
    for (const panel of allPanels(dashboard.panels ?? []) as ReadonlyArray<{ title: string; fieldConfig?: Widen<FieldConfigSource> }>) {
      const defaults = panel.fieldConfig?.defaults
      if (defaults?.thresholds) expect(Object.values(ThresholdsMode), panel.title).toContain(defaults.thresholds.mode)
      for (const mapping of defaults?.mappings ?? []) expect(Object.values(MappingType), panel.title).toContain(mapping.type)
    }
  })

  it("lays panels out on the 24-column grid without overlaps", () => {
    const boxes = panels.map((panel) => ({ title: panel.title, ...panel.gridPos }))
    for (const box of boxes) {
      expect(box.x, box.title).toBeGreaterThanOrEqual(0)
      expect(box.x + box.w, box.title).toBeLessThanOrEqual(24)
    }
    const overlaps = boxes.flatMap((a, i) =>
      boxes.slice(i + 1).filter((b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h).map((b) => `${a.title} / ${b.title}`)
    )
    expect(overlaps).toEqual([])
  })

  it("queries only the provisioned Prometheus datasource", () => {
    const uid = provisionedDatasourceUid()
    for (const panel of panels.filter((p) => p.type !== "row")) {
      expect(panel.datasource?.uid, panel.title).toBe(uid)
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0)
      for (const target of panel.targets ?? []) expect(target.datasource?.uid, panel.title).toBe(uid)
    }
  })
})

describe("dashboard and alert expressions", () => {
  const expressions = [...dashboardExpressions(), ...rulesExpressions()]

  it("are found in both places", () => {
    expect(dashboardExpressions().length).toBeGreaterThan(20)
    expect(rulesExpressions().length).toBeGreaterThan(10)
  })

  // A name outside ncod_ means a typo or a label taken for a metric; the live check against the
  // master's /metrics (metrics-names.test.ts) then proves each ncod_ name is really exported.
  it("use only ncod_ metrics and Prometheus's own up", () => {
    const foreign = expressions.flatMap(({ where, expr }) =>
      [...metricNames(expr)].filter((name) => !name.startsWith("ncod_") && !PROMETHEUS_SYNTHETIC.has(name)).map((name) => `${where}: ${name}`)
    )
    expect(foreign).toEqual([])
  })
})
