/** Latency statistics: exact percentiles over every recorded sample (no histogram rounding). */

export interface Summary {
  readonly count: number
  readonly min: number
  readonly mean: number
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly p999: number
  readonly max: number
}

export const emptySummary: Summary = { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 }

/** Nearest-rank percentile of an ascending array: the smallest value with at least p % of samples at or below it. */
export const percentile = (sorted: ArrayLike<number>, p: number): number => {
  if (sorted.length === 0) return 0
  if (p <= 0) return sorted[0]!
  if (p >= 100) return sorted[sorted.length - 1]!
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!
}

/** Sorts a copy and summarises it. */
export const summarize = (values: ArrayLike<number>): Summary => {
  if (values.length === 0) return emptySummary
  const sorted = Float64Array.from(values).sort()
  let sum = 0
  for (const value of sorted) sum += value
  return {
    count: sorted.length,
    min: sorted[0]!,
    mean: sum / sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    max: sorted[sorted.length - 1]!
  }
}

/** Appends samples into growing typed arrays: cheap at thousands of samples per second. */
export class Samples {
  private chunks: Array<Float64Array> = []
  private current = new Float64Array(4096)
  private used = 0

  add(value: number) {
    if (this.used === this.current.length) {
      this.chunks.push(this.current)
      this.current = new Float64Array(Math.min(this.current.length * 2, 1 << 20))
      this.used = 0
    }
    this.current[this.used++] = value
  }

  get length() {
    return this.chunks.reduce((n, chunk) => n + chunk.length, 0) + this.used
  }

  toArray(): Float64Array {
    const out = new Float64Array(this.length)
    let offset = 0
    for (const chunk of this.chunks) {
      out.set(chunk, offset)
      offset += chunk.length
    }
    out.set(this.current.subarray(0, this.used), offset)
    return out
  }
}

/** Concatenates sample arrays (from several workers). */
export const concat = (arrays: ReadonlyArray<ArrayLike<number>>): Float64Array => {
  const out = new Float64Array(arrays.reduce((n, a) => n + a.length, 0))
  let offset = 0
  for (const array of arrays) {
    out.set(array, offset)
    offset += array.length
  }
  return out
}

export const round = (value: number, digits = 1) => {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}

/**
 * How bunched sends were: counts per tick (a Map of tick number → sends, ticks without sends
 * absent) over the ticks from the first to the last one, and the busiest run of `perSecond` ticks.
 * A fleet spread evenly has a p99 tick near the mean; cohorts show as a p99 and max far above it.
 */
export const bunching = (sendsPerTick: ReadonlyMap<number, number>, perSecond: number) => {
  if (sendsPerTick.size === 0) return { meanPerTick: 0, p99PerTick: 0, maxPerTick: 0, busiestSecond: 0 }
  const ticks = [...sendsPerTick.keys()]
  const first = Math.min(...ticks)
  const counts = new Float64Array(Math.max(...ticks) - first + 1)
  for (const [tick, n] of sendsPerTick) counts[tick - first] = n
  let busiestSecond = 0
  let window = 0
  for (let k = 0; k < counts.length; k++) {
    window += counts[k]! - (k >= perSecond ? counts[k - perSecond]! : 0)
    busiestSecond = Math.max(busiestSecond, window)
  }
  const summary = summarize(counts)
  return { meanPerTick: round(summary.mean, 2), p99PerTick: summary.p99, maxPerTick: summary.max, busiestSecond }
}
