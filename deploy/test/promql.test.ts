import { describe, expect, it } from "vitest"
import { ruleExpressionsOf } from "./expressions.js"
import { exportedFamilies, isExported, metricNames } from "./promql.js"

const names = (expr: string) => [...metricNames(expr)].sort()

describe("metric names in PromQL", () => {
  it("finds selectors and skips functions, keywords, labels, ranges, numbers and strings", () => {
    expect(names('up{job="ncod-master"} == 0 or absent(up{job="ncod-master"})')).toEqual(["up"])
    expect(names("histogram_quantile(0.99, sum by (instance, le) (rate(ncod_report_ingest_duration_seconds_bucket[5m]))) > 0.5")).toEqual([
      "ncod_report_ingest_duration_seconds_bucket"
    ])
    expect(names('max(ncod_slaves{status="online"}) > 0 and on() (sum(rate(ncod_reports_ingested_total[10m])) or on() vector(0)) == 0')).toEqual([
      "ncod_reports_ingested_total",
      "ncod_slaves"
    ])
    expect(names("time() - max(ncod_backup_last_success_timestamp_seconds) > 26 * 3600")).toEqual(["ncod_backup_last_success_timestamp_seconds"])
    expect(names('sum(rate(a_total{route!~"/rpc.*", x="{b}"}[$__rate_interval])) / ignoring(x) group_left c offset 5m')).toEqual(["a_total", "c"])
    expect(names('label_replace(m2, "dst", "$1", "src", "(.*)") * on(x) group_left(y) m3 unless m4 > bool 1e3')).toEqual(["m2", "m3", "m4"])
    expect(names("sum(x) by (le) / sum without (instance) (y)")).toEqual(["x", "y"])
  })

  it("reads one-line and block expressions from a rules file", () => {
    const text = [
      "groups:",
      "  - name: g",
      "    rules:",
      "      - alert: One",
      '        expr: up{job="a"} == 0',
      "        for: 1m",
      "      - alert: Two",
      "        expr: |",
      "          sum(rate(b_total[5m]))",
      "          > 1",
      "        labels: { severity: warning }",
      "      - record: job:c:sum",
      "        expr: 'sum(c)'"
    ].join("\n")
    expect(ruleExpressionsOf(text)).toEqual([
      { rule: "One", expr: 'up{job="a"} == 0' },
      { rule: "Two", expr: "sum(rate(b_total[5m])) > 1" },
      { rule: "job:c:sum", expr: "sum(c)" }
    ])
  })

  it("accepts histogram series only for histograms", () => {
    const families = exportedFamilies(
      ["# HELP h_seconds x", "# TYPE h_seconds histogram", "# TYPE c_total counter", "# TYPE g gauge", "g 1"].join("\n")
    )
    expect(isExported("h_seconds_bucket", families)).toBe(true)
    expect(isExported("h_seconds_count", families)).toBe(true)
    expect(isExported("h_seconds", families)).toBe(false)
    expect(isExported("c_total", families)).toBe(true)
    expect(isExported("c_total_bucket", families)).toBe(false)
    expect(isExported("g", families)).toBe(true)
    expect(isExported("g_count", families)).toBe(false)
    expect(isExported("missing", families)).toBe(false)
  })
})
