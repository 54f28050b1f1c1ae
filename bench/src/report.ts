/** A scenario's result: JSON for machines, a Markdown table for people, both under bench/results/. */
import * as fs from "node:fs"
import * as path from "node:path"
import type { MachineInfo } from "./machine.js"
import { machineLine } from "./machine.js"
import { repoRoot } from "./master.js"
import { markdownTable, type SummaryRow, summaryTable } from "./table.js"

export interface Check {
  readonly name: string
  readonly target: string
  readonly value: string
  readonly pass: boolean
}

export interface Result {
  readonly scenario: string
  readonly command: string
  readonly startedAt: string
  readonly finishedAt: string
  readonly machine: MachineInfo
  /** Database, Redis, TLS and every flag. */
  readonly settings: Readonly<Record<string, unknown>>
  readonly summary: ReadonlyArray<SummaryRow>
  readonly checks: ReadonlyArray<Check>
  readonly details: Readonly<Record<string, unknown>>
  readonly notes: ReadonlyArray<string>
}

export const resultsDir = path.join(repoRoot, "bench/results")

const checksTable = (checks: ReadonlyArray<Check>) =>
  markdownTable(
    ["check", "target", "measured", "pass"],
    checks.map((c) => [c.name, c.target, c.value, c.pass ? "yes" : "NO"])
  )

export const renderMarkdown = (result: Result) =>
  [
    `## ${result.scenario} — ${result.startedAt}`,
    "",
    `\`${result.command}\``,
    "",
    `Machine: ${machineLine(result.machine)}`,
    `Settings: ${Object.entries(result.settings)
      .map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
      .join(", ")}`,
    "",
    summaryTable(result.summary),
    "",
    ...(result.checks.length > 0 ? [checksTable(result.checks), ""] : []),
    ...result.notes.map((note) => `- ${note}`),
    ""
  ].join("\n")

/** Writes `<scenario>-<time>.json` and `.md`; returns their paths. */
export const writeResult = (result: Result) => {
  fs.mkdirSync(resultsDir, { recursive: true })
  const stamp = result.startedAt.replace(/[:.]/g, "-").replace(/Z$/, "")
  const base = path.join(resultsDir, `${result.scenario}-${stamp}`)
  fs.writeFileSync(`${base}.json`, `${JSON.stringify(result, (_, v: unknown) => (v instanceof Float64Array ? undefined : v), 2)}\n`)
  fs.writeFileSync(`${base}.md`, renderMarkdown(result))
  return { json: `${base}.json`, markdown: `${base}.md` }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const started = Date.now()
/** Progress on stderr, so stdout carries only the result table. */
export const say = (message: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`)
