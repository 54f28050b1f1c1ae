import { describe, expect, it } from "vitest"
import { parseFlags, splitArgs, UsageError } from "./args.js"
import { originOf, summarizeProfile } from "./inspector.js"
import { byLabel, parseProm, quantileBetween, sumOf } from "./prom.js"
import { bunching, concat, percentile, Samples, summarize } from "./stats.js"
import { bytes, formatNumber, markdownTable } from "./table.js"

describe("percentiles", () => {
  it("use the nearest rank, so p50 of 1..100 is 50 and p99 is 99", () => {
    const values = Float64Array.from({ length: 100 }, (_, i) => i + 1)
    expect(percentile(values, 50)).toBe(50)
    expect(percentile(values, 99)).toBe(99)
    expect(percentile(values, 100)).toBe(100)
    expect(percentile(values, 0)).toBe(1)
  })

  it("of a single sample are that sample, and of none are zero", () => {
    expect(percentile([7], 99)).toBe(7)
    expect(summarize([]).count).toBe(0)
  })

  it("summarise unsorted samples without reordering the caller's array", () => {
    const values = [5, 1, 4, 2, 3]
    const summary = summarize(values)
    expect(summary).toMatchObject({ count: 5, min: 1, max: 5, p50: 3, mean: 3 })
    expect(values).toEqual([5, 1, 4, 2, 3])
  })

  it("come out the same from samples collected in chunks and merged across workers", () => {
    const samples = new Samples()
    for (let i = 0; i < 10_000; i++) samples.add(i)
    expect(samples.length).toBe(10_000)
    const merged = concat([samples.toArray(), Float64Array.from([10_000])])
    expect(summarize(merged)).toMatchObject({ count: 10_001, max: 10_000, p50: 5000 })
  })
})

describe("bunching of sends", () => {
  it("counts the empty ticks between sends, and finds the busiest second wherever it starts", () => {
    // ticks 10..29: one send each, except a cohort of 40 at tick 15 and nothing at 20..24
    const ticks = new Map<number, number>()
    for (let t = 10; t < 30; t++) if (t < 20 || t > 24) ticks.set(t, t === 15 ? 40 : 1)
    const b = bunching(ticks, 10)
    expect(b.meanPerTick).toBe(2.7) // 54 sends over 20 ticks, the 5 empty ones included
    expect(b.maxPerTick).toBe(40)
    expect(b.busiestSecond).toBe(49) // ticks 10..19
  })

  it("of an even spread are flat, and of nothing are zero", () => {
    const even = new Map(Array.from({ length: 100 }, (_, t) => [t, 3] as const))
    expect(bunching(even, 10)).toEqual({ meanPerTick: 3, p99PerTick: 3, maxPerTick: 3, busiestSecond: 30 })
    expect(bunching(new Map(), 10).busiestSecond).toBe(0)
  })
})

describe("flags", () => {
  const specs = {
    slaves: { kind: "number", default: 10, min: 1, help: "" },
    connections: { kind: "string", default: "fresh", choices: ["fresh", "reuse"], help: "" },
    keepDb: { kind: "boolean", default: false, help: "" }
  } as const

  it("take --name value, --name=value and bare booleans, in kebab-case", () => {
    const { positionals, raw } = splitArgs(["fleet", "--slaves", "500", "--connections=reuse", "--keep-db"])
    expect(positionals).toEqual(["fleet"])
    expect(parseFlags(specs, raw)).toEqual({ slaves: 500, connections: "reuse", keepDb: true })
  })

  it("fall back to defaults", () => {
    expect(parseFlags(specs, new Map())).toEqual({ slaves: 10, connections: "fresh", keepDb: false })
  })

  it("refuse unknown flags, bad numbers and values outside the choices", () => {
    expect(() => parseFlags(specs, splitArgs(["--slave", "1"]).raw)).toThrow(UsageError)
    expect(() => parseFlags(specs, splitArgs(["--slaves", "many"]).raw)).toThrow(/needs a number/)
    expect(() => parseFlags(specs, splitArgs(["--slaves", "0"]).raw)).toThrow(/from 1/)
    expect(() => parseFlags(specs, splitArgs(["--connections", "h2"]).raw)).toThrow(/one of fresh, reuse/)
  })
})

describe("tables", () => {
  it("group thousands and keep few decimals", () => {
    expect(formatNumber(12345.678)).toBe("12,346")
    expect(formatNumber(12.345)).toBe("12.3")
    expect(formatNumber(1.5)).toBe("1.5")
    expect(formatNumber(0.125)).toBe("0.13")
    expect(formatNumber(2)).toBe("2")
    expect(bytes(1536)).toBe("1.5 KiB")
    expect(bytes(null)).toBeNull()
  })

  it("right-align numeric columns and show missing cells as a dash", () => {
    const table = markdownTable(["scenario", "p99 ms"], [["fleet", 12.5], ["reads", null]])
    expect(table.split("\n")).toEqual(["| scenario | p99 ms |", "|----------|-------:|", "| fleet    |   12.5 |", "| reads    |      – |"])
  })
})

describe("Prometheus text", () => {
  const scrape = (count: number, fast: number) =>
    parseProm(
      [
        "# HELP ncod_reports_ingested_total Reports.",
        "# TYPE ncod_reports_ingested_total counter",
        `ncod_reports_ingested_total{outcome="unchanged"} ${count}`,
        'ncod_reports_ingested_total{outcome="changed"} 3',
        `ncod_report_ingest_duration_seconds_bucket{le="0.001"} ${fast}`,
        `ncod_report_ingest_duration_seconds_bucket{le="0.01"} ${count}`,
        `ncod_report_ingest_duration_seconds_bucket{le="+Inf"} ${count}`,
        'ncod_http_request_duration_seconds_count{route="/api/v1/slaves/:id/reports",method="POST",status="200"} 9'
      ].join("\n")
    )

  it("is read into samples with their labels", () => {
    const samples = scrape(100, 50)
    expect(sumOf(samples, "ncod_reports_ingested_total")).toBe(103)
    expect(byLabel(samples, "ncod_reports_ingested_total", "outcome")).toEqual({ unchanged: 100, changed: 3 })
    expect(sumOf(samples, "ncod_http_request_duration_seconds_count", { route: "/api/v1/slaves/:id/reports" })).toBe(9)
  })

  it("gives quantiles of what happened between two scrapes, interpolated in the bucket", () => {
    // between the scrapes: 100 observations, 50 under 1 ms and 50 between 1 and 10 ms
    const q = quantileBetween(scrape(100, 50), scrape(200, 100), "ncod_report_ingest_duration_seconds", 0.99)
    expect(q).toBeCloseTo(0.001 + 0.009 * (49 / 50), 6)
    expect(quantileBetween(scrape(100, 50), scrape(100, 50), "ncod_report_ingest_duration_seconds", 0.5)).toBeNull()
  })
})

describe("CPU profiles", () => {
  it("attribute self time to packages and to ncod's own folders", () => {
    expect(originOf("file:///work/main/node_modules/@effect/platform/dist/esm/x.js", "f")).toBe("@effect/platform")
    expect(originOf("file:///work/main/master/src/fleet/SlaveActor.ts", "f")).toBe("ncod/master")
    expect(originOf("node:internal/http", "f")).toBe("node")
    expect(originOf("", "(garbage collector)")).toBe("(garbage collector)")
    const summary = summarizeProfile({
      startTime: 0,
      endTime: 2_000_000,
      nodes: [
        { id: 1, callFrame: { functionName: "(root)", url: "", lineNumber: 0 } },
        { id: 2, callFrame: { functionName: "encode", url: "file:///x/node_modules/effect/dist/a.js", lineNumber: 9 } },
        { id: 3, callFrame: { functionName: "(garbage collector)", url: "", lineNumber: 0 } }
      ],
      samples: [2, 2, 2, 3]
    })
    expect(summary.seconds).toBe(2)
    expect(summary.byOrigin).toEqual([
      { origin: "effect", percent: 75 },
      { origin: "(garbage collector)", percent: 25 }
    ])
  })
})
