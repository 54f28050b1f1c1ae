/**
 * HTTP load for the read, login and lease scenarios. Maximum throughput comes from autocannon
 * (closed loop: each connection sends its next request when the previous one is answered). Fixed
 * rates come from an open-loop generator: requests leave on a clock whatever the server does, and
 * latency counts from when a request was due, so a stalled server cannot hide its stall
 * (autocannon's own correction for that is off by a factor of 1,000 in version 9).
 */
import autocannon, { type Options } from "autocannon"
import { monitorEventLoopDelay } from "node:perf_hooks"
import * as tls from "node:tls"
import { Pool } from "undici"
import { Samples, type Summary, summarize } from "./stats.js"

export interface LoadResult {
  readonly seconds: number
  readonly requests: number
  readonly perSecond: number
  readonly latencyMs: Summary
  readonly errors: number
  readonly statuses: Readonly<Record<string, number>>
  /** Open loop only: the longest stall of the load generator's own event loop (it delays requests too). */
  readonly clientLagMaxMs?: number
}

/** Closed loop with autocannon; latency percentiles are autocannon's (1 ms resolution). */
export const closedLoop = (options: Options): Promise<LoadResult> =>
  new Promise((resolve, reject) => {
    autocannon({ timeout: 30, ...options }, (error, result) => {
      if (error) return reject(error)
      const answered = result["2xx"] + result.non2xx
      const statuses: Record<string, number> = {}
      for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = count
      resolve({
        seconds: result.duration,
        requests: answered,
        perSecond: result["2xx"] / result.duration,
        latencyMs: {
          count: result.latency.total,
          min: result.latency.min,
          mean: result.latency.mean,
          p50: result.latency.p50,
          p90: result.latency.p90,
          p99: result.latency.p99,
          p999: result.latency.p99_9,
          max: result.latency.max
        },
        errors: result.errors + result.timeouts + result.non2xx,
        statuses
      })
    })
  })

export interface PlannedRequest {
  readonly path: string
  readonly method?: "GET" | "POST" | "DELETE"
  readonly headers?: Record<string, string>
  readonly body?: string
}

/** A keep-alive pool to `origin` trusting `ca`. */
export const pool = (origin: string, ca: string | undefined, connections: number) =>
  new Pool(origin, {
    connections,
    pipelining: 1,
    keepAliveTimeout: 4_000,
    connect: ca === undefined ? {} : { secureContext: tls.createSecureContext({ ca }) }
  })

/** Sends `rate` requests a second for `seconds`, each on schedule; latency from the scheduled time. */
export const openLoop = async (options: {
  readonly pool: Pool
  readonly rate: number
  readonly seconds: number
  readonly next: (n: number) => PlannedRequest
  readonly ok?: (status: number) => boolean
}): Promise<LoadResult> => {
  const ok = options.ok ?? ((status: number) => status >= 200 && status < 300)
  const latency = new Samples()
  const statuses: Record<string, number> = {}
  let errors = 0
  const total = Math.round(options.rate * options.seconds)
  const inflight = new Set<Promise<void>>()
  const clientLag = monitorEventLoopDelay({ resolution: 5 })
  clientLag.enable()
  const started = performance.now()
  const fire = (n: number, due: number) => {
    const planned = options.next(n)
    const promise = options.pool
      .request({ path: planned.path, method: planned.method ?? "GET", headers: planned.headers ?? {}, body: planned.body ?? null })
      .then(async (response) => {
        await response.body.arrayBuffer()
        statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1
        if (ok(response.statusCode)) latency.add(performance.now() - due)
        else errors++
      })
      .catch(() => {
        errors++
        statuses["network error"] = (statuses["network error"] ?? 0) + 1
      })
      .finally(() => inflight.delete(promise))
    inflight.add(promise)
  }
  let sent = 0
  while (sent < total) {
    const elapsed = performance.now() - started
    const due = Math.min(total, Math.floor((elapsed * options.rate) / 1000) + 1)
    while (sent < due) {
      fire(sent, started + (sent * 1000) / options.rate)
      sent++
    }
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
  await Promise.all(inflight)
  clientLag.disable()
  const seconds = (performance.now() - started) / 1000
  const summary = summarize(latency.toArray())
  const clientLagMaxMs = Math.round(clientLag.max / 1e5) / 10
  return { seconds, requests: summary.count + errors, perSecond: summary.count / seconds, latencyMs: summary, errors, statuses, clientLagMaxMs }
}
