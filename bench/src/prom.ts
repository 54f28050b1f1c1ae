/** Just enough of the Prometheus text format to read the master's /metrics between two moments. */

import { round } from "./stats.js"

export interface PromSample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/
const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

export const parseProm = (text: string): ReadonlyArray<PromSample> => {
  const samples: Array<PromSample> = []
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line.trim() === "") continue
    const match = sampleLine.exec(line)
    if (!match) continue
    const labels: Record<string, string> = {}
    for (const pair of (match[2] ?? "").matchAll(labelPair)) labels[pair[1]!] = pair[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c))
    const value = match[3] === "+Inf" ? Infinity : match[3] === "-Inf" ? -Infinity : Number(match[3])
    samples.push({ name: match[1]!, labels, value })
  }
  return samples
}

const matches = (labels: Readonly<Record<string, string>>, filter: Readonly<Record<string, string>>) =>
  Object.entries(filter).every(([key, value]) => labels[key] === value)

/** Sum of every series of `name` whose labels include `filter`. */
export const sumOf = (samples: ReadonlyArray<PromSample>, name: string, filter: Readonly<Record<string, string>> = {}) =>
  samples.filter((s) => s.name === name && matches(s.labels, filter)).reduce((sum, s) => sum + s.value, 0)

/** `name` by the value of one label, e.g. reports by outcome. */
export const byLabel = (samples: ReadonlyArray<PromSample>, name: string, label: string): Record<string, number> => {
  const out: Record<string, number> = {}
  for (const s of samples) if (s.name === name && s.labels[label] !== undefined) out[s.labels[label]!] = (out[s.labels[label]!] ?? 0) + s.value
  return out
}

/** Cumulative buckets of a histogram (summed over series matching `filter`), ascending by bound. */
export const buckets = (samples: ReadonlyArray<PromSample>, name: string, filter: Readonly<Record<string, string>> = {}) => {
  const byBound = new Map<number, number>()
  for (const s of samples) {
    if (s.name !== `${name}_bucket` || !matches(s.labels, filter)) continue
    const bound = s.labels["le"] === "+Inf" ? Infinity : Number(s.labels["le"])
    byBound.set(bound, (byBound.get(bound) ?? 0) + s.value)
  }
  return [...byBound.entries()].sort((a, b) => a[0] - b[0]).map(([le, count]) => ({ le, count }))
}

/**
 * The q-quantile of the observations made between two scrapes, interpolated inside its bucket
 * as Prometheus' histogram_quantile does. Coarse (bucket bounds), but it is the master's own view.
 */
export const quantileBetween = (
  before: ReadonlyArray<PromSample>,
  after: ReadonlyArray<PromSample>,
  name: string,
  q: number,
  filter: Readonly<Record<string, string>> = {}
): number | null => {
  const start = new Map(buckets(before, name, filter).map((b) => [b.le, b.count]))
  const delta = buckets(after, name, filter).map((b) => ({ le: b.le, count: b.count - (start.get(b.le) ?? 0) }))
  const total = delta[delta.length - 1]?.count ?? 0
  if (total <= 0) return null
  const rank = q * total
  let previousBound = 0
  let previousCount = 0
  for (const b of delta) {
    if (b.count >= rank) {
      if (b.le === Infinity) return previousBound
      const inBucket = b.count - previousCount
      return inBucket <= 0 ? b.le : previousBound + ((b.le - previousBound) * (rank - previousCount)) / inBucket
    }
    previousBound = b.le
    previousCount = b.count
  }
  return previousBound
}

/**
 * The master's event loop and collector between two scrapes: the longest stall (prom-client resets
 * the lag histogram at every scrape, so this is the phase's longest) and seconds in GC by kind.
 */
export const runtimeBetween = (before: ReadonlyArray<PromSample>, after: ReadonlyArray<PromSample>) => ({
  eventLoopLagP99Ms: round(sumOf(after, "ncod_nodejs_eventloop_lag_p99_seconds") * 1000, 1),
  eventLoopLagMaxMs: round(sumOf(after, "ncod_nodejs_eventloop_lag_max_seconds") * 1000, 1),
  gcSeconds: Object.fromEntries(
    Object.entries(byLabel(after, "ncod_nodejs_gc_duration_seconds_sum", "kind")).map(([kind, v]) => [
      kind,
      round(v - (byLabel(before, "ncod_nodejs_gc_duration_seconds_sum", "kind")[kind] ?? 0), 2)
    ])
  )
})
