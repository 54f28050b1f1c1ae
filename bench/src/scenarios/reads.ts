/**
 * `reads`: the device list and search as portal users and admins call them.
 *
 *   bare       autocannon against a bare Node server answering the same bytes (the baseline)
 *   max        autocannon against the master, cached device list: the most it answers
 *   cached     open loop at --rate (1,000/s) over a mix of list and search URLs, cache warm
 *   uncached   open loop at --miss-rate with a different search each time (every request a miss)
 *   missMax    autocannon with a different search each time
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { gzipSync } from "node:zlib"
import type { FlagSpecs, FlagValues } from "../args.js"
import { startBaseline } from "../baseline.js"
import { commonFlags, environmentSettings, masterSettings } from "../common.js"
import { backendPids, connect, serverVersion } from "../db.js"
import { summarizeProfile } from "../inspector.js"
import { closedLoop, type LoadResult, openLoop, pool } from "../load.js"
import { describeMachine } from "../machine.js"
import { startSampledMaster } from "../sampledMaster.js"
import { type Window } from "../proc.js"
import { type PromSample, quantileBetween, runtimeBetween, sumOf } from "../prom.js"
import { type Check, type Result, resultsDir, say } from "../report.js"
import { grantSlaves, seedFleet, seedOrgUnits, seedUsers, signIn } from "../seed.js"
import { round } from "../stats.js"
import { formatNumber, type SummaryRow } from "../table.js"

export const readsFlags = {
  slaves: { kind: "number", default: 500, min: 1, help: "slaves in the inventory" },
  devices: { kind: "number", default: 8, min: 1, max: 64, help: "devices per slave" },
  grantShare: { kind: "number", default: 0.5, min: 0, max: 1, help: "share of slaves granted to the portal user's org unit" },
  rate: { kind: "number", default: 1000, min: 1, help: "requests/s of the cached open-loop phase" },
  duration: { kind: "number", default: 30, min: 1, help: "seconds of the cached open-loop phase" },
  warmup: { kind: "number", default: 3, min: 0, help: "unmeasured seconds at --rate before the cached phase (opens the client's connections)" },
  missRate: { kind: "number", default: 100, min: 1, help: "requests/s of the uncached open-loop phase" },
  missDuration: { kind: "number", default: 15, min: 1, help: "seconds of the uncached open-loop phase" },
  max: { kind: "number", default: 10, min: 1, help: "seconds of each autocannon maximum-throughput run" },
  connections: { kind: "number", default: 32, min: 1, help: "autocannon connections" },
  poolConnections: { kind: "number", default: 64, min: 1, help: "open-loop keep-alive connections" },
  limit: { kind: "number", default: 50, min: 1, max: 500, help: "page size asked for" },
  workers: { kind: "number", default: 2, min: 1, help: "seeding worker processes" },
  gzip: { kind: "boolean", default: false, help: "send Accept-Encoding: gzip, as browsers do (the bare server then sends the page gzipped too)" },
  ...commonFlags
} as const satisfies FlagSpecs

type Flags = FlagValues<typeof readsFlags>

const latency = (r: LoadResult) => ({
  p50: round(r.latencyMs.p50, 2),
  p90: round(r.latencyMs.p90, 2),
  p99: round(r.latencyMs.p99, 2),
  p999: round(r.latencyMs.p999, 2),
  max: round(r.latencyMs.max, 2)
})

const describe = (r: LoadResult) => ({
  seconds: round(r.seconds, 1),
  requests: r.requests,
  perSecond: round(r.perSecond, 1),
  latencyMs: latency(r),
  errors: r.errors,
  statuses: r.statuses,
  ...(r.clientLagMaxMs === undefined ? {} : { clientLagMaxMs: r.clientLagMaxMs })
})

const cacheDelta = (before: ReadonlyArray<PromSample>, after: ReadonlyArray<PromSample>) => {
  const hits = sumOf(after, "ncod_cache_requests_total", { result: "hit" }) - sumOf(before, "ncod_cache_requests_total", { result: "hit" })
  const misses = sumOf(after, "ncod_cache_requests_total", { result: "miss" }) - sumOf(before, "ncod_cache_requests_total", { result: "miss" })
  const q = (p: number) => {
    const v = quantileBetween(before, after, "ncod_http_request_duration_seconds", p, { route: "/api/v1/devices" })
    return v === null ? null : round(v * 1000, 2)
  }
  return {
    hits,
    misses,
    hitRatio: hits + misses > 0 ? round(hits / (hits + misses), 4) : null,
    // inside the master's HTTP pipeline; the rest of a request's time is TLS, the event loop and the client
    serverMs: { p50: q(0.5), p99: q(0.99) },
    ...runtimeBetween(before, after)
  }
}

export const runReads = async (flags: Flags, command: string): Promise<Result> => {
  const startedAt = new Date().toISOString()
  const notes: Array<string> = []
  say("measuring the machine")
  const machine = await describeMachine(flags.waitQuiet)
  if (machine.busyBeforePercent > 20) notes.push(`the machine was ${machine.busyBeforePercent} % busy before the run: other jobs skew every figure`)
  // the slaves report once: an hour-long interval keeps them online (no offline sweep clearing the cache mid-run)
  const settings = masterSettings(flags, "reads", {
    NCOD_ENROLLMENTS_PER_HOUR: "1000000",
    NCOD_REGISTRATIONS_PER_HOUR: "10000",
    NCOD_REPORT_INTERVAL_SECONDS: "3600"
  })
  const { sampler, master } = await startSampledMaster(settings)
  const openPool = pool(master.url, master.ca, flags.poolConnections)
  try {
    const pgVersion = master.databaseUrl ? await connect(master.databaseUrl).then(async (c) => [await serverVersion(c), await c.end()][0] as string) : "embedded"
    const slaveIds = await seedFleet(master, { slaves: flags.slaves, devices: flags.devices, workers: flags.workers })
    const units = await seedOrgUnits(master)
    const granted = slaveIds.slice(0, Math.round(slaveIds.length * flags.grantShare))
    say(`granting ${granted.length} slaves to the portal user's company`)
    await grantSlaves(master, granted, units.companyId)
    const [user] = await seedUsers(master, 1, units.departmentId)
    const userToken = await signIn(master, user!.username, user!.password)
    const adminToken = await master.adminToken()
    const limit = flags.limit
    const mix = [
      { token: adminToken, path: `/api/v1/devices?limit=${limit}` },
      { token: adminToken, path: `/api/v1/devices?q=ftdi&limit=${limit}` },
      { token: adminToken, path: `/api/v1/devices?state=available&sort=slave&limit=${limit}` },
      { token: userToken, path: `/api/v1/devices?limit=${limit}` },
      { token: userToken, path: `/api/v1/devices?q=link&limit=${limit}` },
      { token: userToken, path: `/api/v1/devices?state=available&sort=slave&limit=${limit}` }
    ]
    // warm the cache and keep one answer for the bare server to send
    let sampleBody = ""
    for (const entry of mix) {
      const response = await master.api.call("GET", entry.path, { token: entry.token })
      if (response.status !== 200) throw new Error(`GET ${entry.path} → ${response.status}: ${response.text.slice(0, 200)}`)
      if (sampleBody === "") sampleBody = response.text
    }
    const items = (JSON.parse(sampleBody) as { items: Array<unknown> }).items.length
    const inventory = await master.api.ok<{ items: Array<unknown> }>("GET", "/api/v1/devices?limit=500", { token: userToken })
    notes.push(`inventory: ${flags.slaves} slaves × ${flags.devices} devices; the portal user sees ${inventory.items.length === 500 ? "≥ 500" : inventory.items.length} devices; list pages of ${items} items, ${formatNumber(sampleBody.length)} bytes${flags.gzip ? ` (${formatNumber(gzipSync(sampleBody).length)} gzipped, as sent with --gzip)` : ""}`)

    if (master.databaseUrl) {
      const client = await connect(master.databaseUrl)
      sampler.set("postgres", await backendPids(client))
      await client.end()
    }
    const encoding: Record<string, string> = flags.gzip ? { "accept-encoding": "gzip" } : {}
    const auth = (token: string) => ({ authorization: `Bearer ${token}`, ...encoding })
    const inspector = await master.inspector()
    const profiles: Record<string, unknown> = {}
    const profiled = async <A>(phase: string, body: () => Promise<A>) => {
      if (flags.profile === phase) await inspector.startProfile()
      const result = await body()
      if (flags.profile === phase) {
        const profile = await inspector.stopProfile()
        const file = path.join(resultsDir, `reads-${phase}-${startedAt.replace(/[:.]/g, "-")}.cpuprofile`)
        fs.mkdirSync(resultsDir, { recursive: true })
        fs.writeFileSync(file, JSON.stringify(profile))
        profiles[phase] = { file: path.relative(process.cwd(), file), ...summarizeProfile(profile) }
      }
      return result
    }
    const measure = async <A>(phase: string, body: () => Promise<A>) => {
      const before = await master.metrics()
      sampler.mark(`${phase}:start`)
      const result = await profiled(phase, body)
      sampler.mark(`${phase}:end`)
      const after = await master.metrics()
      return { result, window: sampler.window(`${phase}:start`, `${phase}:end`), cache: cacheDelta(before, after) }
    }

    say(`baseline: ${flags.max} s autocannon against a bare Node server sending the same ${formatNumber(sampleBody.length)} bytes`)
    const bareServer = await startBaseline({ keysDir: flags.insecure ? undefined : master.keysDir, getBody: sampleBody, gzip: flags.gzip })
    sampler.set("bare", [bareServer.pid])
    sampler.mark("bare:start")
    const bare = await closedLoop({ url: `${bareServer.url}/api/v1/devices?limit=${limit}`, connections: flags.connections, duration: flags.max })
    sampler.mark("bare:end")
    const bareWindow = sampler.window("bare:start", "bare:end")
    await bareServer.stop()

    say(`floor: ${flags.max} s autocannon on GET /healthz (the HTTP stack with nothing behind it)`)
    const floor = await measure("floor", () => closedLoop({ url: `${master.url}/healthz`, connections: flags.connections, duration: flags.max }))

    say(`max: ${flags.max} s autocannon, cached device list`)
    const max = await measure("max", () =>
      closedLoop({ url: `${master.url}${mix[0]!.path}`, headers: auth(adminToken), connections: flags.connections, duration: flags.max })
    )

    const mixed = (n: number) => {
      const entry = mix[n % mix.length]!
      return { path: entry.path, headers: auth(entry.token) }
    }
    // a portal's browsers hold their connections open: open the pool's connections (TLS handshakes)
    // before the phase instead of measuring 64 handshakes as read latency
    say(`cached: ${flags.warmup} s unmeasured at ${flags.rate}/s to open the client's ${flags.poolConnections} connections`)
    const warmup = await openLoop({ pool: openPool, rate: flags.rate, seconds: flags.warmup, next: mixed })
    say(`cached: ${flags.rate}/s for ${flags.duration} s over ${mix.length} list and search URLs`)
    const cached = await measure("cached", () => openLoop({ pool: openPool, rate: flags.rate, seconds: flags.duration, next: mixed }))

    const randomQuery = () => Math.floor(Math.random() * 0xffff).toString(16).padStart(4, "0")
    say(`uncached: ${flags.missRate}/s for ${flags.missDuration} s, a different search each time`)
    const uncached = await measure("uncached", () =>
      openLoop({
        pool: openPool,
        rate: flags.missRate,
        seconds: flags.missDuration,
        next: (n) => ({
          path: `/api/v1/devices?q=${randomQuery()}&limit=${limit}`,
          headers: auth(n % 2 === 0 ? adminToken : userToken)
        })
      })
    )

    say(`missMax: ${flags.max} s autocannon, a different search each time`)
    const missMax = await measure("missMax", () =>
      closedLoop({
        url: `${master.url}/api/v1/devices`,
        headers: auth(adminToken),
        connections: flags.connections,
        duration: flags.max,
        requests: [{ method: "GET", setupRequest: (request) => ({ ...request, path: `/api/v1/devices?q=${randomQuery()}&limit=${limit}` }) }]
      })
    )

    const cpu = (w: Window, group = "master") => round(w.cpuPercent[group] ?? 0, 1)
    const row = (scenario: string, load: string, r: LoadResult, w: Window, ratio: number | null, group = "master"): SummaryRow => ({
      scenario,
      load,
      throughput: `${formatNumber(r.perSecond)} req/s`,
      p50Ms: round(r.latencyMs.p50, 2),
      p99Ms: round(r.latencyMs.p99, 2),
      errors: r.errors,
      masterCpuPercent: cpu(w, group),
      masterPeakRssBytes: w.peakRss[group] ?? null,
      rowsPerReport: null,
      bytesPerSlave: null,
      baselineRatio: ratio
    })
    const summary: Array<SummaryRow> = [
      row("reads cached", `open loop ${formatNumber(flags.rate)}/s, ${mix.length} URLs`, cached.result, cached.window, null),
      row("reads cached max", `autocannon ${flags.connections} conns, device list`, max.result, max.window, max.result.perSecond / Math.max(1, bare.perSecond)),
      row("reads uncached", `open loop ${formatNumber(flags.missRate)}/s, new search each`, uncached.result, uncached.window, null),
      row("reads uncached max", `autocannon ${flags.connections} conns, new search each`, missMax.result, missMax.window, missMax.result.perSecond / Math.max(1, bare.perSecond)),
      row("master GET /healthz", `autocannon ${flags.connections} conns (HTTP stack floor)`, floor.result, floor.window, null),
      row("bare Node GET", `autocannon ${flags.connections} conns, same bytes`, bare, bareWindow, 1, "bare")
    ]
    const checks: Array<Check> = [
      {
        name: "cached list/search p99",
        target: `< 20 ms at ${formatNumber(flags.rate)} req/s`,
        value: `${round(cached.result.latencyMs.p99, 2)} ms at ${formatNumber(cached.result.perSecond)} req/s`,
        pass: cached.result.latencyMs.p99 < 20 && cached.result.perSecond >= flags.rate * 0.98
      },
      { name: "cached phase errors", target: "0", value: String(cached.result.errors), pass: cached.result.errors === 0 },
      { name: "cached phase served from cache", target: "≥ 99 % hits", value: `${round((cached.cache.hitRatio ?? 0) * 100, 2)} %`, pass: (cached.cache.hitRatio ?? 0) >= 0.99 },
      { name: "uncached phase missed the cache", target: "≥ 95 % misses", value: `${round((1 - (uncached.cache.hitRatio ?? 1)) * 100, 1)} %`, pass: (uncached.cache.hitRatio ?? 1) <= 0.05 }
    ]
    const cpuMs = (r: LoadResult, w: Window) => round((((w.cpuPercent["master"] ?? 0) / 100) * w.seconds * 1000) / Math.max(1, r.requests), 3)
    const busy = (w: Window) => ({
      seconds: round(w.seconds, 1),
      cpuPercentOfOneCore: Object.fromEntries(Object.entries(w.cpuPercent).map(([k, v]) => [k, round(v, 1)])),
      machineBusyPercent: round(w.machineBusyPercent, 1),
      othersPercentOfOneCore: round(w.othersPercentOfOneCore, 1),
      stealPercentOfOneCore: w.stealPercentOfOneCore
    })
    return {
      scenario: "reads",
      command,
      startedAt,
      finishedAt: new Date().toISOString(),
      machine,
      settings: { ...flags, ...environmentSettings(settings, pgVersion) },
      summary,
      checks,
      details: {
        masterLog: master.logDigest(),
        bare: { ...describe(bare), resources: busy(bareWindow) },
        floor: { ...describe(floor.result), masterCpuMsPerRequest: cpuMs(floor.result, floor.window), resources: busy(floor.window) },
        max: { ...describe(max.result), masterCpuMsPerRequest: cpuMs(max.result, max.window), cache: max.cache, resources: busy(max.window) },
        cachedWarmup: describe(warmup),
        cached: { ...describe(cached.result), masterCpuMsPerRequest: cpuMs(cached.result, cached.window), cache: cached.cache, resources: busy(cached.window) },
        uncached: { ...describe(uncached.result), masterCpuMsPerRequest: cpuMs(uncached.result, uncached.window), cache: uncached.cache, resources: busy(uncached.window) },
        missMax: { ...describe(missMax.result), masterCpuMsPerRequest: cpuMs(missMax.result, missMax.window), cache: missMax.cache, resources: busy(missMax.window) },
        responseBytes: sampleBody.length,
        profiles
      },
      notes
    }
  } catch (error) {
    process.stderr.write(`master log (last lines):\n${master.recentLog()}\n`)
    throw error
  } finally {
    sampler.stop()
    await openPool.close().catch(() => undefined)
    await master.stop()
  }
}
