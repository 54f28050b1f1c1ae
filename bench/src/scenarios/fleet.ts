/**
 * `fleet`: N simulated slaves × M devices reporting through the real API on the master's schedule.
 *
 *   bare      the same client, closed loop, against a bare Node server (the baseline)
 *   enroll    every slave enrolls with a real token
 *   warmup    first reports (full path: devices inserted), one interval plus stats flush
 *   steady    nothing changes: every report should be a batched heartbeat writing no device rows
 *   churn     plugs/unplugs at --churn per report, and --offline of the slaves fall silent
 *   checks    silent slaves marked offline in time, nobody else; every acknowledged report stored
 *   resume    the silent slaves report again and come back online
 *   probe     closed loop against the master: the most reports/s it answers
 */
import type pg from "pg"
import type { FlagSpecs, FlagValues } from "../args.js"
import { commonFlags, environmentSettings, masterSettings, postgresServer } from "../common.js"
import { ActivitySampler, backendPids, connect, counters, type DbCounters, delta, serverVersion, type WritesDelta } from "../db.js"
import { FleetPool, type MergedPhase, phaseOf } from "../fleet-pool.js"
import { startBaseline } from "../baseline.js"
import type { CollectReply } from "../fleet-protocol.js"
import { summarizeProfile } from "../inspector.js"
import { describeMachine } from "../machine.js"
import { startSampledMaster } from "../sampledMaster.js"
import { memoryOf, type Window } from "../proc.js"
import { byLabel, type PromSample, quantileBetween, runtimeBetween, sumOf } from "../prom.js"
import { type Check, type Result, say, sleep } from "../report.js"
import { bunching, round, type Summary, summarize } from "../stats.js"
import { formatNumber, type SummaryRow } from "../table.js"
import * as fs from "node:fs"
import * as path from "node:path"
import { resultsDir } from "../report.js"

export const fleetFlags = {
  slaves: { kind: "number", default: 0, min: 0, max: 1_000_000, help: "simulated slaves (0: 2,000 on PostgreSQL, 200 on the one-connection embedded database)" },
  devices: { kind: "number", default: 8, min: 0, max: 64, help: "devices per slave" },
  interval: { kind: "number", default: 30, min: 1, max: 3600, help: "report interval in seconds (NCOD_REPORT_INTERVAL_SECONDS)" },
  offlineAfter: { kind: "number", default: 3, min: 1, max: 100, help: "missed intervals before offline (NCOD_OFFLINE_AFTER_MISSED)" },
  churn: { kind: "number", default: 0.02, min: 0, max: 1, help: "chance per report, in the churn phase, that a device is unplugged or plugged back" },
  offline: { kind: "number", default: 0.01, min: 0, max: 0.5, help: "share of slaves that fall silent in the churn phase" },
  steady: { kind: "number", default: 0, min: 0, help: "steady phase in seconds (0: max(interval, 20))" },
  duration: { kind: "number", default: 0, min: 0, help: "churn phase in seconds (0: long enough to see offline detection: interval × (offline-after + 1) + 10)" },
  workers: { kind: "number", default: 2, min: 1, max: 64, help: "fleet worker processes" },
  connections: { kind: "string", default: "fresh", choices: ["fresh", "reuse"], help: "fresh: new TCP+TLS connection per report (what a slave reporting every 30 s gets, TLS sessions resumed); reuse: keep-alive pool" },
  poolConnections: { kind: "number", default: 512, min: 1, help: "connections per worker (cap on reports in flight)" },
  enrollConcurrency: { kind: "number", default: 8, min: 1, help: "enrollments in flight per worker" },
  probe: { kind: "number", default: 10, min: 0, help: "seconds of closed-loop maximum throughput, against the bare server and the master (0: skip)" },
  probeConcurrency: { kind: "number", default: 32, min: 1, help: "reports in flight during the probes (all workers)" },
  timeout: { kind: "number", default: 30, min: 1, help: "seconds before a report counts as lost" },
  restart: { kind: "boolean", default: false, help: "restart the master while the fleet reports, and measure the interval after (actor rebuild, first reports)" },
  ...commonFlags
} as const satisfies FlagSpecs

type Flags = FlagValues<typeof fleetFlags>

const ms = (value: number) => round(value, 1)

const latencyOf = (summary: Summary) => ({
  count: summary.count,
  p50: ms(summary.p50),
  p90: ms(summary.p90),
  p99: ms(summary.p99),
  p999: ms(summary.p999),
  max: ms(summary.max),
  mean: ms(summary.mean)
})

const phaseDetails = (phase: MergedPhase, seconds: number) => {
  const latency = summarize(phase.latencyMs)
  const lag = summarize(phase.lagMs)
  const lost = Object.values(phase.errors).reduce((a, b) => a + b, 0)
  const dropped = (phase.outcomes["duplicate"] ?? 0) + (phase.outcomes["stale"] ?? 0)
  return {
    seconds: round(seconds, 1),
    sent: phase.sent,
    answered: latency.count,
    reportsPerSecond: round(latency.count / Math.max(seconds, 0.001), 1),
    latencyMs: latencyOf(latency),
    scheduleLagMs: latencyOf(lag),
    // sends per 100 ms: cohorts of slaves reporting together show as a p99 and max far above the mean
    sendsPer100Ms: bunching(phase.sendsPerTick, 10),
    changedLatencyMs: latencyOf(summarize(phase.changedLatencyMs)),
    // when the tail happened: the seconds (from the phase's first report) whose reports took over a second
    slowSeconds: [...phase.slowestPerSecond]
      .filter(([, s]) => s.overOneSecond > 0)
      .sort(([a], [b]) => a - b)
      .slice(0, 40)
      .map(([second, s]) => ({ at: second - Math.floor(phase.firstAt / 1000), maxMs: ms(s.maxMs), overOneSecond: s.overOneSecond })),
    outcomes: phase.outcomes,
    errors: phase.errors,
    lost,
    wronglyDropped: dropped,
    unexpectedOutcomes: phase.unexpected
  }
}

type PhaseDetails = ReturnType<typeof phaseDetails>

const serverSide = (before: ReadonlyArray<PromSample>, after: ReadonlyArray<PromSample>) => {
  if (before.length === 0 || after.length === 0) return { scrapeFailed: true, outcomes: {}, reports: 0, ingestMs: { p50: null, p99: null }, eventLoopLagP99Ms: null, eventLoopLagMaxMs: null, gcSeconds: {}, httpMs: { p50: null, p99: null }, offlineTransitions: null, actorRestarts: null, rejected: null }
  const outcomesBefore = byLabel(before, "ncod_reports_ingested_total", "outcome")
  const outcomesAfter = byLabel(after, "ncod_reports_ingested_total", "outcome")
  const outcomes: Record<string, number> = {}
  for (const [k, v] of Object.entries(outcomesAfter)) outcomes[k] = v - (outcomesBefore[k] ?? 0)
  const q = (p: number) => {
    const v = quantileBetween(before, after, "ncod_report_ingest_duration_seconds", p)
    return v === null ? null : ms(v * 1000)
  }
  const httpQ = (p: number) => {
    const v = quantileBetween(before, after, "ncod_http_request_duration_seconds", p, { route: "/api/v1/slaves/:id/reports" })
    return v === null ? null : ms(v * 1000)
  }
  return {
    outcomes,
    reports: Object.values(outcomes).reduce((a, b) => a + b, 0),
    ingestMs: { p50: q(0.5), p99: q(0.99) },
    // the whole request inside the master's HTTP pipeline (auth, body, ingestion), as the master sees it
    httpMs: { p50: httpQ(0.5), p99: httpQ(0.99) },
    ...runtimeBetween(before, after),
    offlineTransitions: sumOf(after, "ncod_slave_transitions_total", { to: "offline" }) - sumOf(before, "ncod_slave_transitions_total", { to: "offline" }),
    actorRestarts: sumOf(after, "ncod_actor_restarts_total") - sumOf(before, "ncod_actor_restarts_total"),
    rejected: sumOf(after, "ncod_reports_rejected_total") - sumOf(before, "ncod_reports_rejected_total")
  }
}

const perReport = (writes: WritesDelta | undefined, reports: number) => {
  if (!writes || reports <= 0) return undefined
  const byTable: Record<string, number> = {}
  for (const [table, n] of Object.entries(writes.rowsByTable)) byTable[table] = round(n / reports, 3)
  return { rows: round(writes.rows / reports, 3), commits: round(writes.commits / reports, 3), byTable, totals: writes.rowsByTable }
}

const cpu = (window: Window | undefined, group: string) => (window ? round(window.cpuPercent[group] ?? 0, 1) : null)

export const runFleet = async (given: Flags, command: string): Promise<Result> => {
  const flags = { ...given, slaves: given.slaves > 0 ? given.slaves : postgresServer(given) === undefined ? 200 : 2000 }
  const startedAt = new Date().toISOString()
  const interval = flags.interval
  const limitSeconds = interval * flags.offlineAfter
  const steadySeconds = flags.steady > 0 ? flags.steady : Math.max(interval, 20)
  const churnSeconds = flags.duration > 0 ? flags.duration : interval * (flags.offlineAfter + 1) + 10
  const notes: Array<string> = []
  if (churnSeconds < limitSeconds + interval && flags.offline > 0) {
    notes.push(`the churn phase (${churnSeconds} s) is shorter than the offline limit plus one interval (${limitSeconds + interval} s): offline detection is not checked`)
  }
  say("measuring the machine")
  const machine = await describeMachine(flags.waitQuiet)
  if (machine.busyBeforePercent > 20) notes.push(`the machine was ${machine.busyBeforePercent} % busy before the run: other jobs skew every figure`)

  const settings = masterSettings(flags, "fleet", {
    NCOD_REPORT_INTERVAL_SECONDS: String(interval),
    NCOD_OFFLINE_AFTER_MISSED: String(flags.offlineAfter),
    NCOD_ENROLLMENTS_PER_HOUR: "1000000"
  })
  const { sampler, master } = await startSampledMaster(settings)
  let db: pg.Client | undefined
  const pools: Array<FleetPool> = []
  try {
    db = master.databaseUrl ? await connect(master.databaseUrl) : undefined
    const pgVersion = db ? await serverVersion(db) : "embedded"
    const runTag = Date.now().toString(36)
    const poolOptions = {
      ca: master.ca,
      mode: flags.connections as "fresh" | "reuse",
      devices: flags.devices,
      workers: flags.workers,
      connections: flags.poolConnections,
      timeoutMs: flags.timeout * 1000,
      runTag
    }
    const probeLanes = Math.max(1, Math.ceil(flags.probeConcurrency / flags.workers))

    // the baseline: the same client and connection mode against a bare Node server
    let bare: PhaseDetails | undefined
    let bareWindow: Window | undefined
    if (flags.probe > 0) {
      say(`baseline: ${flags.probe} s closed loop against a bare Node server`)
      const server = await startBaseline({ keysDir: flags.insecure ? undefined : master.keysDir })
      sampler.set("bare", [server.pid])
      const pool = await FleetPool.start({ ...poolOptions, baseUrl: server.url, slaves: Math.min(flags.slaves, 10_000) })
      await pool.all({ type: "fake" })
      await pool.all({ type: "phase", phase: "bare", churn: 0 })
      sampler.mark("bare:start")
      await pool.all({ type: "probe", concurrency: probeLanes, seconds: flags.probe })
      sampler.mark("bare:end")
      bareWindow = sampler.window("bare:start", "bare:end")
      bare = phaseDetails(phaseOf(await pool.collect(), "bare"), bareWindow.seconds)
      await pool.close()
      await server.stop()
    }

    const inspector = await master.inspector()
    const memoryEmpty = await inspector.memoryAfterGc()
    const admin = await master.adminToken()
    const pool = await FleetPool.start({ ...poolOptions, baseUrl: master.url, slaves: flags.slaves })
    pools.push(pool)
    sampler.set("workers", pool.pids)

    say(`enrolling ${flags.slaves} slaves`)
    const perWorker = Math.ceil(flags.slaves / flags.workers)
    const perToken = 10_000
    // every worker uses its own tokens: the workers' slices are enrolled in parallel
    const workerTokens: Array<Array<string>> = []
    for (let w = 0; w < flags.workers; w++) {
      const own: Array<string> = []
      for (let n = 0; n < Math.ceil(perWorker / perToken); n++) {
        const issued = await master.api.ok<{ token: string }>("POST", "/api/v1/admin/enrollment-tokens", {
          token: admin,
          body: { label: `bench ${runTag} w${w} ${n}`, maxUses: perToken, expiresInHours: 24 }
        })
        own.push(issued.token)
      }
      workerTokens.push(own)
    }
    // a primer of slaves enrolls and reports first, so that one-time costs (compiled code, pools,
    // caches) are in the memory baseline and the rest measure what one more slave costs
    const primerPerWorker = Math.min(Math.ceil(perWorker / 2), Math.max(10, Math.ceil(perWorker / 100)))
    const enrollCommand = (limit?: number) => (w: number) =>
      ({ type: "enroll", tokens: workerTokens[w]!, perToken, concurrency: flags.enrollConcurrency, ...(limit === undefined ? {} : { limit }) }) as const
    await pool.each(enrollCommand(primerPerWorker))
    await pool.all({ type: "phase", phase: "primer", churn: 0 })
    await pool.all({ type: "reportOnce", indexes: null, concurrency: 4 })
    // the primer keeps reporting while the others enroll (or the master would rightly call it offline)
    await pool.all({ type: "start", spreadSeconds: interval })
    const primed = (await pool.collect()).reduce((n, r) => n + (r.enroll?.enrolled ?? 0), 0)
    const memoryPrimed = await inspector.memoryAfterGc()
    sampler.mark("enroll:start")
    await pool.each(enrollCommand())
    sampler.mark("enroll:end")
    const enrollWindow = sampler.window("enroll:start", "enroll:end")
    const afterEnroll = await pool.collect()
    const enrolled = afterEnroll.reduce((n, r) => n + (r.enroll?.enrolled ?? 0), 0)
    const enrollErrors: Record<string, number> = {}
    for (const r of afterEnroll) for (const [k, v] of Object.entries(r.enroll?.errors ?? {})) enrollErrors[k] = (enrollErrors[k] ?? 0) + v
    const enrollLatency = summarize(afterEnroll.flatMap((r) => [...(r.enroll?.latencyMs ?? [])]))
    if (enrolled < flags.slaves) throw new Error(`only ${enrolled} of ${flags.slaves} slaves enrolled: ${JSON.stringify(enrollErrors)}`)
    const memoryEnrolled = await inspector.memoryAfterGc()

    const profilePhase = flags.profile
    const profiles: Record<string, unknown> = {}
    const maybeProfile = async (phase: string) => {
      if (profilePhase === phase) await inspector.startProfile()
    }
    const maybeStopProfile = async (phase: string) => {
      if (profilePhase !== phase) return
      const profile = await inspector.stopProfile()
      const file = path.join(resultsDir, `fleet-${phase}-${startedAt.replace(/[:.]/g, "-")}.cpuprofile`)
      fs.mkdirSync(resultsDir, { recursive: true })
      fs.writeFileSync(file, JSON.stringify(profile))
      profiles[phase] = { file: path.relative(process.cwd(), file), ...summarizeProfile(profile) }
    }

    say(`warmup: first reports spread over ${interval} s, until the master has taken them all, then 12 s more`)
    await pool.all({ type: "phase", phase: "warmup", churn: 0 })
    const warmupActivity = master.databaseUrl ? new ActivitySampler(await connect(master.databaseUrl)) : undefined
    warmupActivity?.start()
    sampler.mark("warmup:start")
    await maybeProfile("warmup")
    await pool.all({ type: "start", spreadSeconds: interval })
    await sleep(interval * 1000)
    // steady must measure steady: wait until the master has taken every slave's first report (a
    // cold fleet's first reports all go the full way), then let the stats settle
    const absorbed = await firstReportsTaken(db, flags.slaves, interval * 10)
    if (absorbed !== null && absorbed.seconds > 1) {
      notes.push(`the master took ${formatNumber(absorbed.seconds)} s more than the ${interval} s interval to take every slave's first report (${formatNumber(absorbed.rate)} first reports/s at the end): steady starts after that`)
    }
    if (absorbed !== null && !absorbed.done) notes.push(`not every slave's first report was taken after ${interval * 10} s: steady starts anyway`)
    await sleep(12 * 1000)
    await maybeStopProfile("warmup")
    sampler.mark("warmup:end")
    const warmupDb = await warmupActivity?.stop()
    const memoryReporting = await inspector.memoryAfterGc()
    // the forced full collection pauses the master for up to a second: let the reports it held
    // drain before steady's first scrape, or the master's own histogram counts them in steady
    await sleep(3000)
    if (db) sampler.set("postgres", await backendPids(db))

    const window = async (phase: string, seconds: number, before: () => Promise<void>) => {
      const metricsBefore = await master.metrics()
      const dbBefore: DbCounters | undefined = db ? await counters(db) : undefined
      const activity = db && master.databaseUrl ? new ActivitySampler(await connect(master.databaseUrl)) : undefined
      activity?.start()
      await maybeProfile(phase)
      await before()
      sampler.mark(`${phase}:start`)
      await sleep(seconds * 1000)
      sampler.mark(`${phase}:end`)
      // the database first: a scrape of an overloaded master can take seconds
      const dbAfter = db ? await counters(db) : undefined
      await maybeStopProfile(phase)
      const metricsAfter = await master.metrics()
      const waits = await activity?.stop()
      const server = serverSide(metricsBefore, metricsAfter)
      const w = sampler.window(`${phase}:start`, `${phase}:end`)
      return {
        window: w,
        server,
        masterCpuMsPerReport: round(((w.cpuPercent["master"] ?? 0) / 100) * w.seconds * 1000 / Math.max(1, server.reports), 3),
        postgresCpuMsPerReport: round(((w.cpuPercent["postgres"] ?? 0) / 100) * w.seconds * 1000 / Math.max(1, server.reports), 3),
        writes: dbBefore && dbAfter ? perReport(delta(dbBefore, dbAfter), server.reports) : undefined,
        dbConnections: waits
      }
    }

    say(`steady: ${steadySeconds} s, nothing changes`)
    const steady = await window("steady", steadySeconds, () => pool.all({ type: "phase", phase: "steady", churn: 0 }))

    const silentCount = flags.offline > 0 ? Math.max(1, Math.round(flags.slaves * flags.offline)) : 0
    const silent = Array.from({ length: silentCount }, (_, k) => Math.floor((k * flags.slaves) / silentCount))
    say(`churn: ${churnSeconds} s, churn ${flags.churn} per report, ${silentCount} slaves fall silent`)
    const churn = await window("churn", churnSeconds, async () => {
      await pool.all({ type: "phase", phase: "churn", churn: flags.churn })
      await pool.all({ type: "silence", indexes: silent })
    })

    say("stopping the fleet and checking the database")
    await pool.all({ type: "stop" })
    await sleep(1500) // heartbeats accepted last are flushed within 500 ms
    const replies = await pool.collect()
    const checks = db ? await databaseChecks(db, replies, silent, limitSeconds, interval) : undefined

    say("resume: the silent slaves report again")
    await pool.all({ type: "phase", phase: "resume", churn: 0 })
    await pool.all({ type: "reportOnce", indexes: silent, concurrency: 16 })
    const resumedStatus = db && silent.length > 0 ? await onlineCount(db, replies, silent) : undefined

    let restart: Record<string, unknown> | undefined
    if (flags.restart) {
      say("restart: the fleet reports again, then the master restarts under it")
      await pool.all({ type: "phase", phase: "prerestart", churn: 0 })
      await pool.all({ type: "start", spreadSeconds: interval })
      await sleep(interval * 1000 + 2000)
      const dbBefore = db ? await counters(db) : undefined
      const metricsBefore = await master.metrics()
      await pool.all({ type: "phase", phase: "down", churn: 0 })
      const { readyAt, stoppedAt } = await master.restart()
      await pool.all({ type: "phase", phase: "recovery", churn: 0 })
      sampler.set("master", master.pids)
      if (db) sampler.set("postgres", await backendPids(db))
      sampler.mark("recovery:start")
      const recoveryActivity = master.databaseUrl ? new ActivitySampler(await connect(master.databaseUrl)) : undefined
      recoveryActivity?.start()
      await sleep((interval + 10) * 1000)
      sampler.mark("recovery:end")
      const recoveryDb = await recoveryActivity?.stop()
      await pool.all({ type: "stop" })
      const dbAfter = db ? await counters(db) : undefined
      const metricsAfter = await master.metrics()
      const recoveryWindow = sampler.window("recovery:start", "recovery:end")
      const replies = await pool.collect()
      const recovery = phaseDetails(phaseOf(replies, "recovery"), recoveryWindow.seconds)
      const down = phaseDetails(phaseOf(replies, "down"), (readyAt - stoppedAt) / 1000)
      // the counters restart with the process: what the new master counted is all of "after"
      const reportsAfter = sumOf(metricsAfter, "ncod_reports_ingested_total")
      const writes = dbBefore && dbAfter ? perReport(delta(dbBefore, dbAfter), reportsAfter) : undefined
      const memory = await (await master.inspector()).memoryAfterGc().catch(() => undefined)
      restart = {
        restartSeconds: round((readyAt - stoppedAt) / 1000, 1),
        whileDown: { sent: down.sent, errors: down.errors },
        recovery,
        server: { reports: reportsAfter, outcomes: byLabel(metricsAfter, "ncod_reports_ingested_total", "outcome"), before: metricsBefore.length > 0 },
        writesPerReport: writes,
        dbConnections: recoveryDb,
        resources: recoveryWindow,
        memoryAfterGc: memory
      }
    }

    let probe: PhaseDetails | undefined
    let probeWindow: Window | undefined
    let probeServer: ReturnType<typeof serverSide> | undefined
    let probeCpuMs: number | undefined
    if (flags.probe > 0) {
      say(`probe: ${flags.probe} s closed loop against the master`)
      await pool.all({ type: "phase", phase: "probe", churn: 0 })
      const before = await master.metrics()
      await maybeProfile("probe")
      sampler.mark("probe:start")
      await pool.all({ type: "probe", concurrency: probeLanes, seconds: flags.probe })
      sampler.mark("probe:end")
      await maybeStopProfile("probe")
      probeServer = serverSide(before, await master.metrics())
      probeWindow = sampler.window("probe:start", "probe:end")
      probeCpuMs = round(((probeWindow.cpuPercent["master"] ?? 0) / 100) * probeWindow.seconds * 1000 / Math.max(1, probeServer.reports), 3)
    }
    const final = await pool.collect()
    if (flags.probe > 0) probe = phaseDetails(phaseOf(final, "probe"), probeWindow!.seconds)
    const resume = phaseDetails(phaseOf(final, "resume"), 1)
    const warmupDetails = phaseDetails(phaseOf(final, "warmup"), sampler.window("warmup:start", "warmup:end").seconds)
    const steadyDetails = phaseDetails(phaseOf(final, "steady"), steady.window.seconds)
    const churnDetails = phaseDetails(phaseOf(final, "churn"), churn.window.seconds)
    const masterMemory = memoryOf(master.pids)

    const measured = Math.max(1, flags.slaves - primed)
    const perSlaveHeap = (memoryReporting.heapUsed - memoryPrimed.heapUsed) / measured
    const perSlaveRss = (memoryReporting.rss - memoryPrimed.rss) / measured
    const load = `${formatNumber(flags.slaves)} × ${flags.devices} dev / ${interval} s`
    const rate = flags.slaves / interval
    const row = (name: string, details: PhaseDetails, w: Window, rows: number | null, phaseLoad: string): SummaryRow => ({
      scenario: name,
      load: phaseLoad,
      throughput: `${formatNumber(details.reportsPerSecond)} reports/s`,
      p50Ms: details.latencyMs.p50,
      p99Ms: details.latencyMs.p99,
      errors: details.lost + details.wronglyDropped,
      masterCpuPercent: cpu(w, "master"),
      masterPeakRssBytes: w.peakRss["master"] ?? null,
      rowsPerReport: rows,
      bytesPerSlave: Math.round(perSlaveHeap),
      baselineRatio: null
    })
    const summary: Array<SummaryRow> = [
      row("fleet steady", steadyDetails, steady.window, steady.writes?.rows ?? null, `${load} (${formatNumber(rate)}/s)`),
      row("fleet churn", churnDetails, churn.window, churn.writes?.rows ?? null, `${load}, churn ${flags.churn}, ${silentCount} silent`)
    ]
    if (restart) {
      const recovery = restart["recovery"] as PhaseDetails
      const w = restart["resources"] as Window
      const writes = restart["writesPerReport"] as ReturnType<typeof perReport>
      summary.push(row("fleet after restart", recovery, w, writes?.rows ?? null, `first ${interval + 10} s after a restart (${restart["restartSeconds"]} s away)`))
    }
    if (probe && bare && probeWindow && bareWindow) {
      summary.push({
        ...row("fleet probe (max)", probe, probeWindow, null, `closed loop, ${flags.probeConcurrency} in flight`),
        baselineRatio: probe.reportsPerSecond / Math.max(1, bare.reportsPerSecond)
      })
      summary.push({
        scenario: "bare Node POST",
        load: `closed loop, ${flags.probeConcurrency} in flight`,
        throughput: `${formatNumber(bare.reportsPerSecond)} POST/s`,
        p50Ms: bare.latencyMs.p50,
        p99Ms: bare.latencyMs.p99,
        errors: bare.lost,
        masterCpuPercent: cpu(bareWindow, "bare"),
        masterPeakRssBytes: bareWindow.peakRss["bare"] ?? null,
        rowsPerReport: null,
        bytesPerSlave: null,
        baselineRatio: 1
      })
    }

    const deviceRows = (writes: ReturnType<typeof perReport>) =>
      writes ? (writes.totals["devices"] ?? 0) + (writes.totals["device_events"] ?? 0) : null
    const resultChecks: Array<Check> = []
    const add = (name: string, target: string, value: string, pass: boolean) => resultChecks.push({ name, target, value, pass })
    for (const [name, d] of [["steady", steadyDetails], ["churn", churnDetails]] as const) {
      add(`p99 report latency (${name})`, "< 100 ms", `${d.latencyMs.p99} ms`, d.latencyMs.p99 < 100)
      add(`lost reports (${name})`, "0", String(d.lost), d.lost === 0)
      add(`wrongly dropped reports (${name})`, "0 duplicate/stale", String(d.wronglyDropped), d.wronglyDropped === 0)
      const unexpected = Object.values(d.unexpectedOutcomes).reduce((a, b) => a + b, 0)
      add(`outcomes as expected (${name})`, "0 surprises", unexpected === 0 ? "0" : JSON.stringify(d.unexpectedOutcomes), unexpected === 0)
      add(`client kept its schedule (${name})`, "p99 lag < 100 ms", `${d.scheduleLagMs.p99} ms`, d.scheduleLagMs.p99 < 100)
    }
    const steadyDeviceRows = deviceRows(steady.writes)
    if (steadyDeviceRows !== null) add("unchanged reports write no device rows", "0 device/device_event rows in steady", String(steadyDeviceRows), steadyDeviceRows === 0)
    if (checks) {
      add("acknowledged reports stored", "DB last_report_seq = last acknowledged, every slave", `${checks.seqBehind} behind, ${checks.seqAhead} ahead`, checks.seqBehind === 0)
      if (silentCount > 0 && churnSeconds >= limitSeconds + interval) {
        add(
          "offline detection",
          `every silent slave offline within ${limitSeconds} + ${interval} s of its last report`,
          `${checks.silentOffline}/${silentCount} offline, after ${checks.detectionSeconds.min}–${checks.detectionSeconds.max} s`,
          checks.silentOffline === silentCount && checks.detectionSeconds.max <= limitSeconds + interval
        )
      }
      add("no slave wrongly marked offline", "0", String(checks.wronglyOffline), checks.wronglyOffline === 0)
    }
    if (resumedStatus !== undefined) add("silent slaves come back online", `${silentCount}`, `${resumedStatus}`, resumedStatus === silentCount)
    if (restart) {
      const recovery = restart["recovery"] as PhaseDetails
      add(
        "reports in the interval after a restart",
        "p99 < 100 ms, no errors",
        `p99 ${recovery.latencyMs.p99} ms, ${recovery.lost} errors (restart took ${restart["restartSeconds"]} s)`,
        recovery.latencyMs.p99 < 100 && recovery.lost === 0
      )
    }

    for (const [name, w] of [["steady", steady.window], ["churn", churn.window]] as const) {
      if (w.othersPercentOfOneCore > 20) notes.push(`other jobs used ${round(w.othersPercentOfOneCore, 0)} % of a core during ${name}: the figures understate this master`)
      if (w.stealPercentOfOneCore > 10) notes.push(`the hypervisor took ${round(w.stealPercentOfOneCore, 0)} % of a core from this machine during ${name} (steal): the figures understate this master`)
    }
    const busy = (w: Window) => ({
      seconds: round(w.seconds, 1),
      cpuPercentOfOneCore: Object.fromEntries(Object.entries(w.cpuPercent).map(([k, v]) => [k, round(v, 1)])),
      peakRssBytes: w.peakRss,
      machineBusyPercent: round(w.machineBusyPercent, 1),
      othersPercentOfOneCore: round(w.othersPercentOfOneCore, 1),
      stealPercentOfOneCore: w.stealPercentOfOneCore
    })
    return {
      scenario: "fleet",
      command,
      startedAt,
      finishedAt: new Date().toISOString(),
      machine,
      settings: {
        ...environmentSettings(settings, pgVersion),
        slaves: flags.slaves,
        devices: flags.devices,
        intervalSeconds: interval,
        offlineAfterMissed: flags.offlineAfter,
        churn: flags.churn,
        silentSlaves: silentCount,
        connections: flags.connections,
        workers: flags.workers,
        steadySeconds,
        churnSeconds,
        probeSeconds: flags.probe,
        probeConcurrency: flags.probeConcurrency
      },
      summary,
      checks: resultChecks,
      details: {
        masterLog: master.logDigest(),
        enroll: {
          enrolled,
          primer: primed,
          seconds: round(enrollWindow.seconds, 1),
          perSecond: round((enrolled - primed) / enrollWindow.seconds, 1),
          latencyMs: latencyOf(enrollLatency),
          errors: enrollErrors,
          resources: busy(enrollWindow)
        },
        memory: {
          how: `heap after a forced GC (inspector), ${primed} primer slaves enrolled and reporting vs all ${flags.slaves} enrolled and reporting, divided by the difference`,
          afterGc: { empty: memoryEmpty, primed: memoryPrimed, enrolled: memoryEnrolled, reporting: memoryReporting },
          perSlaveHeapBytes: Math.round(perSlaveHeap),
          perSlaveRssBytes: Math.round(perSlaveRss),
          perSlaveHeapBytesEnrolledOnly: Math.round((memoryEnrolled.heapUsed - memoryPrimed.heapUsed) / measured),
          masterHwmBytes: masterMemory?.hwm ?? null
        },
        warmup: { ...warmupDetails, dbConnections: warmupDb, firstReportsTakenAfterIntervalSeconds: absorbed?.seconds ?? null },
        steady: { client: steadyDetails, server: steady.server, masterCpuMsPerReport: steady.masterCpuMsPerReport, postgresCpuMsPerReport: steady.postgresCpuMsPerReport, writesPerReport: steady.writes, dbConnections: steady.dbConnections, resources: busy(steady.window) },
        churn: { client: churnDetails, server: churn.server, masterCpuMsPerReport: churn.masterCpuMsPerReport, postgresCpuMsPerReport: churn.postgresCpuMsPerReport, writesPerReport: churn.writes, dbConnections: churn.dbConnections, resources: busy(churn.window) },
        databaseChecks: checks,
        resume,
        probe: probe ? { client: probe, server: probeServer, masterCpuMsPerReport: probeCpuMs, resources: busy(probeWindow!) } : undefined,
        bare: bare
          ? {
              client: bare,
              bareCpuMsPerRequest: round((((bareWindow!.cpuPercent["bare"] ?? 0) / 100) * bareWindow!.seconds * 1000) / Math.max(1, bare.answered), 3),
              resources: busy(bareWindow!)
            }
          : undefined,
        restart,
        profiles
      },
      notes
    }
  } catch (error) {
    process.stderr.write(`master log (last lines):\n${master.recentLog()}\n`)
    throw error
  } finally {
    sampler.stop()
    for (const pool of pools) await pool.close()
    await db?.end().catch(() => undefined)
    await master.stop()
  }
}

/** What the database says after the churn phase, against what the slaves were told. */
const databaseChecks = async (db: pg.Client, replies: ReadonlyArray<CollectReply>, silent: ReadonlyArray<number>, limitSeconds: number, interval: number) => {
  const acked = new Map<string, number>()
  const silentIds: Array<string> = []
  const silentSet = new Set(silent)
  let global = 0
  for (const reply of replies) {
    reply.slaveIds.forEach((id, i) => {
      acked.set(id, reply.lastAcked[i]!)
      if (silentSet.has(global + i)) silentIds.push(id)
    })
    global += reply.slaveIds.length
  }
  const rows = await db.query<{ id: string; seq: string; status: string; silent_for: number | null }>(
    `select id, last_report_seq as seq, status,
            extract(epoch from (updated_at - last_seen_at))::float8 as silent_for
       from slaves where machine_fingerprint like 'bench-%'`
  )
  let seqBehind = 0
  let seqAhead = 0
  let silentOffline = 0
  let wronglyOfflineNow = 0
  const detection: Array<number> = []
  const silentLookup = new Set(silentIds)
  for (const row of rows.rows) {
    const expected = acked.get(row.id) ?? 0
    const stored = Number(row.seq)
    if (stored < expected) seqBehind++
    if (stored > expected) seqAhead++
    if (silentLookup.has(row.id)) {
      if (row.status === "offline") {
        silentOffline++
        if (row.silent_for !== null) detection.push(row.silent_for)
      }
    } else if (row.status !== "online") wronglyOfflineNow++
  }
  const everOffline = await db.query<{ n: number }>(
    `select count(distinct slave_id)::int as n from device_events where kind = 'offline' and not (slave_id = any($1::uuid[]))`,
    [silentIds]
  )
  const sorted = detection.sort((a, b) => a - b)
  return {
    slaves: rows.rowCount,
    seqBehind,
    seqAhead,
    silentOffline,
    wronglyOffline: Math.max(wronglyOfflineNow, everOffline.rows[0]?.n ?? 0),
    detectionSeconds: {
      limit: limitSeconds,
      interval,
      min: round(sorted[0] ?? 0, 1),
      p50: round(sorted[Math.floor(sorted.length / 2)] ?? 0, 1),
      max: round(sorted[sorted.length - 1] ?? 0, 1)
    }
  }
}

const onlineCount = async (db: pg.Client, replies: ReadonlyArray<CollectReply>, silent: ReadonlyArray<number>) => {
  const ids: Array<string> = []
  const silentSet = new Set(silent)
  let global = 0
  for (const reply of replies) {
    reply.slaveIds.forEach((id, i) => {
      if (silentSet.has(global + i)) ids.push(id)
    })
    global += reply.slaveIds.length
  }
  const result = await db.query<{ n: number }>(`select count(*)::int as n from slaves where status = 'online' and id = any($1::uuid[])`, [ids])
  return result.rows[0]?.n ?? 0
}

/** Polls until every slave has a stored report (or `capSeconds` pass); null without a database. */
const firstReportsTaken = async (db: pg.Client | undefined, slaves: number, capSeconds: number) => {
  if (db === undefined) return null
  const started = performance.now()
  let last = { at: started, taken: 0 }
  let rate = 0
  for (;;) {
    const { rows } = await db.query<{ n: number }>("select count(*)::int as n from slaves where last_report_seq > 0")
    const taken = rows[0]?.n ?? 0
    const now = performance.now()
    if (now > last.at) rate = ((taken - last.taken) * 1000) / (now - last.at)
    last = { at: now, taken }
    const seconds = round((now - started) / 1000, 1)
    if (taken >= slaves) return { seconds, rate: round(rate, 0), done: true }
    if (seconds >= capSeconds) return { seconds, rate: round(rate, 0), done: false }
    await sleep(1000)
  }
}
