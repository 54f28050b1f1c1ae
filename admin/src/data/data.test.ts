import { AuditEvent } from "@ncod/core"
import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { auditCsv, csvField } from "./audit.js"
import { parseTags } from "./fleet.js"
import { addReading, sumCounter } from "./metrics.js"
import { buildTree, childKind } from "./orgUnits.js"

describe("audit export", () => {
  it("quotes fields and defuses spreadsheet formulas", () => {
    expect(csvField("plain")).toBe("plain")
    expect(csvField('say "hi", ok')).toBe('"say ""hi"", ok"')
    expect(csvField("=HYPERLINK(\"x\")")).toBe("\"'=HYPERLINK(\"\"x\"\")\"")
    expect(csvField("+1")).toBe("'+1")
    expect(csvField(null)).toBe("")
    expect(csvField({ a: 1 })).toBe('"{""a"":1}"')
  })

  it("writes a header and one line per event", () => {
    const event = Schema.decodeUnknownSync(AuditEvent)({
      id: "6a1f0c52-4d4e-4c4e-8a49-7f6a3c1d2e10",
      at: "2026-11-25T08:00:00.000Z",
      actorKind: "admin",
      actorId: null,
      actorName: "管理员",
      action: "user.approve",
      targetType: "user",
      targetId: "x",
      result: "success",
      sourceIp: "127.0.0.1",
      details: { reason: "ok" }
    })
    const lines = auditCsv([event]).replace(/^\uFEFF/, "").trim().split("\r\n")
    expect(lines).toHaveLength(2)
    expect(lines[1]).toContain("2026-11-25T08:00:00.000Z,admin,管理员")
  })
})

describe("health metrics", () => {
  it("sums a counter's series from Prometheus text", () => {
    const text = '# HELP ncod_reports_ingested_total x\nncod_reports_ingested_total{outcome="changed"} 10\nncod_reports_ingested_total{outcome="unchanged"} 32\nother_total 5\n'
    expect(sumCounter(text, "ncod_reports_ingested_total")).toBe(42)
    expect(sumCounter(text, "missing_total")).toBeUndefined()
  })

  it("turns readings into a rate and starts over when the counter resets", () => {
    const first = addReading([], undefined, { value: 10, at: 1000 })
    expect(first).toEqual([])
    const second = addReading(first, { value: 10, at: 1000 }, { value: 30, at: 6000 })
    expect(second).toEqual([{ at: 6000, rate: 4 }])
    expect(addReading(second, { value: 30, at: 6000 }, { value: 2, at: 11000 })).toEqual(second)
  })
})

describe("fleet and org helpers", () => {
  it("parses tags typed with either comma", () => {
    expect(parseTags("烧录器, ARM，ARM ,, debug")).toEqual(["烧录器", "ARM", "debug"])
  })

  it("builds the org tree and knows each level's child kind", () => {
    const entry = (id: string, kind: string, parentId: string | null, name: string) => ({ unit: { id, kind, parentId, name, nameEn: null, retiredAt: null, createdAt: null }, members: 0, children: 0 }) as never
    const tree = buildTree([entry("c", "company", "o", "公司"), entry("o", "organization", null, "组织"), entry("orphan", "company", "gone", "孤儿")])
    expect(tree.map((node) => node.entry.unit.id).sort()).toEqual(["o", "orphan"])
    expect(tree.find((node) => node.entry.unit.id === "o")!.children.map((node) => node.entry.unit.id)).toEqual(["c"])
    expect(childKind(null)).toBe("organization")
    expect(childKind({ kind: "project_department" } as never)).toBeNull()
  })
})
