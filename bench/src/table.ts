/** Results as a Markdown table: the same text is printed, written beside the JSON and pasted into docs. */

export type Cell = string | number | null | undefined

const show = (cell: Cell): string => {
  if (cell === null || cell === undefined) return "–"
  if (typeof cell === "number") return formatNumber(cell)
  return cell
}

/** Thousands separated, at most one decimal above 10, two below. */
export const formatNumber = (value: number): string => {
  if (!Number.isFinite(value)) return String(value)
  const abs = Math.abs(value)
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2
  const fixed = value.toFixed(digits)
  const [whole, fraction] = fixed.split(".")
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ",")
  return fraction === undefined || /^0+$/.test(fraction) ? grouped : `${grouped}.${fraction.replace(/0+$/, "")}`
}

export const bytes = (value: number | null | undefined): string | null => {
  if (value === null || value === undefined) return null
  const units = ["B", "KiB", "MiB", "GiB"]
  let n = value
  let unit = 0
  while (Math.abs(n) >= 1024 && unit < units.length - 1) {
    n /= 1024
    unit++
  }
  return `${formatNumber(n)} ${units[unit]}`
}

const numeric = (cell: Cell) => typeof cell === "number" || (typeof cell === "string" && /^[-+]?[\d,.]+(\s?[%a-zA-Z/×]+)?$/.test(cell))

/** A GitHub-flavoured Markdown table; numeric columns are right-aligned. */
export const markdownTable = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<Cell>>): string => {
  const text = rows.map((row) => headers.map((_, i) => show(row[i])))
  const widths = headers.map((header, i) => Math.max(header.length, 3, ...text.map((row) => row[i]!.length)))
  const right = headers.map((_, i) => rows.length > 0 && rows.every((row) => row[i] === null || row[i] === undefined || numeric(row[i])))
  const pad = (cell: string, i: number) => (right[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))
  const line = (cells: ReadonlyArray<string>) => `| ${cells.map(pad).join(" | ")} |`
  const rule = `|${widths.map((w, i) => (right[i] ? `${"-".repeat(w + 1)}:` : `${"-".repeat(w + 2)}`)).join("|")}|`
  return [line(headers), rule, ...text.map(line)].join("\n")
}

/** The columns issue 10 asks every scenario to report. */
export interface SummaryRow {
  readonly scenario: string
  readonly load: string
  readonly throughput: string
  readonly p50Ms: number | null
  readonly p99Ms: number | null
  readonly errors: number | null
  readonly masterCpuPercent: number | null
  readonly masterPeakRssBytes: number | null
  readonly rowsPerReport: number | null
  readonly bytesPerSlave: number | null
  readonly baselineRatio: number | null
}

export const summaryHeaders = [
  "scenario",
  "load",
  "throughput",
  "p50 ms",
  "p99 ms",
  "errors",
  "master CPU %",
  "master peak RSS",
  "rows/report",
  "memory/slave",
  "vs bare Node"
] as const

export const summaryTable = (rows: ReadonlyArray<SummaryRow>) =>
  markdownTable(
    summaryHeaders,
    rows.map((row) => [
      row.scenario,
      row.load,
      row.throughput,
      row.p50Ms,
      row.p99Ms,
      row.errors,
      row.masterCpuPercent,
      bytes(row.masterPeakRssBytes),
      row.rowsPerReport,
      bytes(row.bytesPerSlave),
      row.baselineRatio === null ? null : `${formatNumber(row.baselineRatio * 100)} %`
    ])
  )
