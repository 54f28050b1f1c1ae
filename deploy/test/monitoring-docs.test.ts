import * as fs from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { rulesDir } from "./expressions.js"

// Every alert links its runbook entry in docs/operations/monitoring.md: the heading must exist,
// so a new or renamed alert cannot ship without its "what it means, what to do".

const docs = fs.readFileSync(fileURLToPath(new URL("../../docs/operations/monitoring.md", import.meta.url)), "utf8")
const headings = new Set([...docs.matchAll(/^### (\S+)$/gm)].map((m) => m[1]!))
const rules = fs
  .readdirSync(rulesDir)
  .filter((file) => file.endsWith(".yml"))
  .map((file) => fs.readFileSync(`${rulesDir}/${file}`, "utf8"))
  .join("\n")

describe("the monitoring runbook", () => {
  const alerts = [...new Set([...rules.matchAll(/^\s*- alert:\s*(\S+)$/gm)].map((m) => m[1]!))]

  it("has a section for every alert and no section for an alert that does not exist", () => {
    expect(alerts.length).toBeGreaterThan(10)
    expect(alerts.filter((alert) => !headings.has(alert))).toEqual([])
    expect([...headings].filter((heading) => !alerts.includes(heading))).toEqual([])
  })

  it("is where every runbook_url points", () => {
    const urls = [...rules.matchAll(/runbook_url:\s*"([^"]+)"/g)].map((m) => m[1]!)
    const anchors = new Set([...headings].map((heading) => heading.toLowerCase()))
    expect(urls.filter((url) => !url.startsWith("docs/operations/monitoring.md#") || !anchors.has(url.split("#")[1]!))).toEqual([])
  })
})
