import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Effect } from "effect"
import type { Api } from "@ncod/web"

/**
 * The ingestion rate for the health page, from the master's Prometheus text at /metrics (not part
 * of the typed contract). When the master protects /metrics with a token the page shows counts only.
 */
export type MetricsReading = { readonly kind: "ok"; readonly reportsIngested: number; readonly at: number } | { readonly kind: "protected" } | { readonly kind: "unavailable" }

/** The sum of every series of a counter in Prometheus text format (labels ignored). */
export const sumCounter = (text: string, name: string): number | undefined => {
  let total: number | undefined
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+([^\s]+)/.exec(line)
    if (match && match[1] === name) {
      const value = Number(match[3])
      if (Number.isFinite(value)) total = (total ?? 0) + value
    }
  }
  return total
}

export const readMetrics = (api: Api): Promise<MetricsReading> =>
  api.run(
    Effect.gen(function* () {
      const client = yield* HttpClient.HttpClient
      const response = yield* client.execute(HttpClientRequest.get(`${api.baseUrl}/metrics`))
      if (response.status === 401 || response.status === 403) return { kind: "protected" } as const
      if (response.status !== 200) return { kind: "unavailable" } as const
      const value = sumCounter(yield* response.text, "ncod_reports_ingested_total")
      return value === undefined ? ({ kind: "unavailable" } as const) : ({ kind: "ok", reportsIngested: value, at: Date.now() } as const)
    })
  )

export interface RatePoint {
  readonly at: number
  /** Reports per second since the previous reading. */
  readonly rate: number
}

/** Adds a reading to the rate series (kept to `keep` points); a counter reset starts over. */
export const addReading = (
  series: ReadonlyArray<RatePoint>,
  previous: { readonly value: number; readonly at: number } | undefined,
  reading: { readonly value: number; readonly at: number },
  keep = 120
): ReadonlyArray<RatePoint> => {
  if (previous === undefined || reading.at <= previous.at || reading.value < previous.value) return series
  const rate = (reading.value - previous.value) / ((reading.at - previous.at) / 1000)
  return [...series, { at: reading.at, rate }].slice(-keep)
}
