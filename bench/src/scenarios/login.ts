/**
 * `login`: password sign-in under load. bcrypt at the master's cost (12 by default) bounds it; the
 * question is how close the master gets to raw bcrypt on this machine, and whether a login flood
 * slows anything else. A small fleet reports throughout: quiet, during the flood, after.
 *
 *   bcrypt    raw bcrypt.compare in the bench process: 4 at a time (libuv's pool, the machine's
 *             ceiling) and as many at a time as the master allows (NCOD_BCRYPT_CONCURRENCY)
 *   bare      autocannon POSTing the same login body to a bare Node server
 *   login     autocannon POST /api/v1/auth/login over --users accounts, while the fleet reports
 */
import bcrypt from "bcrypt"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { FlagSpecs, FlagValues } from "../args.js"
import { startBaseline } from "../baseline.js"
import { commonFlags, environmentSettings, masterSettings } from "../common.js"
import { connect, serverVersion } from "../db.js"
import { FleetPool, phaseOf } from "../fleet-pool.js"
import { summarizeProfile } from "../inspector.js"
import { closedLoop, type LoadResult, openLoop, pool } from "../load.js"
import { describeMachine } from "../machine.js"
import { startSampledMaster } from "../sampledMaster.js"
import { type Window } from "../proc.js"
import { type Check, type Result, resultsDir, say, sleep } from "../report.js"
import { seedOrgUnits, seedUsers } from "../seed.js"
import { round, summarize } from "../stats.js"
import { formatNumber, type SummaryRow } from "../table.js"

export const loginFlags = {
  users: { kind: "number", default: 8, min: 1, help: "accounts signing in (round robin)" },
  duration: { kind: "number", default: 20, min: 1, help: "seconds of login load" },
  connections: { kind: "number", default: 16, min: 1, help: "autocannon connections" },
  bcryptCost: { kind: "number", default: 12, min: 10, max: 15, help: "NCOD_BCRYPT_COST (12 is the master's default)" },
  fleet: { kind: "number", default: 100, min: 0, help: "slaves reporting every 2 s throughout (0: none)" },
  probeRate: { kind: "number", default: 20, min: 1, help: "GET /healthz per second during the flood" },
  ...commonFlags
} as const satisfies FlagSpecs

type Flags = FlagValues<typeof loginFlags>

const describe = (r: LoadResult) => ({
  seconds: round(r.seconds, 1),
  requests: r.requests,
  perSecond: round(r.perSecond, 2),
  latencyMs: { p50: round(r.latencyMs.p50, 1), p90: round(r.latencyMs.p90, 1), p99: round(r.latencyMs.p99, 1), max: round(r.latencyMs.max, 1) },
  errors: r.errors,
  statuses: r.statuses
})

/** Raw bcrypt verifies per second on this machine, `lanes` at a time. */
const rawBcrypt = async (cost: number, seconds: number, lanes: number) => {
  const password = "bench password 1234"
  const hash = await bcrypt.hash(password, cost)
  const deadline = performance.now() + seconds * 1000
  const started = performance.now()
  let done = 0
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (performance.now() < deadline) {
        if (!(await bcrypt.compare(password, hash))) throw new Error("bcrypt.compare failed")
        done++
      }
    })
  )
  const elapsed = (performance.now() - started) / 1000
  return { cost, lanes, verifies: done, perSecond: round(done / elapsed, 2), msEach: round((elapsed * 1000 * lanes) / Math.max(1, done), 1) }
}

/** A table row for a raw bcrypt measurement. */
const rawRow = (r: Awaited<ReturnType<typeof rawBcrypt>>, who: string): SummaryRow => ({
  scenario: "raw bcrypt (bench process)",
  load: `${r.lanes} at a time (${who}), cost ${r.cost}`,
  throughput: `${formatNumber(r.perSecond)} verifies/s`,
  p50Ms: r.msEach,
  p99Ms: null,
  errors: 0,
  masterCpuPercent: null,
  masterPeakRssBytes: null,
  rowsPerReport: null,
  bytesPerSlave: null,
  baselineRatio: null
})

export const runLogin = async (flags: Flags, command: string): Promise<Result> => {
  const startedAt = new Date().toISOString()
  const notes: Array<string> = []
  say("measuring the machine")
  const machine = await describeMachine(flags.waitQuiet)
  if (machine.busyBeforePercent > 20) notes.push(`the machine was ${machine.busyBeforePercent} % busy before the run: other jobs skew every figure`)
  const settings = masterSettings(flags, "login", {
    NCOD_BCRYPT_COST: String(flags.bcryptCost),
    NCOD_REGISTRATIONS_PER_HOUR: "10000",
    NCOD_ENROLLMENTS_PER_HOUR: "1000000",
    NCOD_REPORT_INTERVAL_SECONDS: "2"
  })
  const { sampler, master } = await startSampledMaster(settings, `, bcrypt cost ${flags.bcryptCost}`)
  const probePool = pool(master.url, master.ca, 4)
  let fleet: FleetPool | undefined
  try {
    const pgVersion = master.databaseUrl ? await connect(master.databaseUrl).then(async (c) => [await serverVersion(c), await c.end()][0] as string) : "embedded"
    const units = await seedOrgUnits(master)
    say(`registering ${flags.users} users`)
    const users = await seedUsers(master, flags.users, units.departmentId)
    const bodies = users.map((u) => JSON.stringify({ username: u.username, password: u.password, audience: "portal" }))

    say("raw bcrypt on this machine")
    sampler.mark("bcrypt:start")
    const rawAll = await rawBcrypt(flags.bcryptCost, 6, Number(process.env["UV_THREADPOOL_SIZE"] ?? 4))
    // the master computes at most NCOD_BCRYPT_CONCURRENCY hashes at once (cores − 1 by default)
    const masterLanes = Number(settings.env["NCOD_BCRYPT_CONCURRENCY"] ?? Math.max(1, os.availableParallelism() - 1))
    const raw = masterLanes === rawAll.lanes ? rawAll : await rawBcrypt(flags.bcryptCost, 6, masterLanes)
    sampler.mark("bcrypt:end")

    say(`baseline: ${flags.duration} s autocannon POST to a bare Node server`)
    const bareServer = await startBaseline({ keysDir: flags.insecure ? undefined : master.keysDir })
    sampler.set("bare", [bareServer.pid])
    sampler.mark("bare:start")
    const bare = await closedLoop({
      url: `${bareServer.url}/api/v1/auth/login`,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: bodies[0]!,
      connections: flags.connections,
      duration: Math.min(flags.duration, 10)
    })
    sampler.mark("bare:end")
    await bareServer.stop()

    if (flags.fleet > 0) {
      const admin = await master.adminToken()
      const issued = await master.api.ok<{ token: string }>("POST", "/api/v1/admin/enrollment-tokens", {
        token: admin,
        body: { label: "bench login fleet", maxUses: Math.min(10_000, flags.fleet), expiresInHours: 1 }
      })
      fleet = await FleetPool.start({
        baseUrl: master.url,
        ca: master.ca,
        mode: "reuse",
        slaves: flags.fleet,
        devices: 8,
        workers: 1,
        connections: 16,
        timeoutMs: 30_000,
        runTag: Date.now().toString(36)
      })
      sampler.set("workers", fleet.pids)
      await fleet.all({ type: "enroll", tokens: [issued.token], perToken: 10_000, concurrency: 8 })
      await fleet.all({ type: "phase", phase: "warmup", churn: 0 })
      await fleet.all({ type: "start", spreadSeconds: 2 })
      await sleep(5_000)
      await fleet.all({ type: "phase", phase: "quiet", churn: 0 })
      sampler.mark("quiet:start")
      await sleep(8_000)
      sampler.mark("quiet:end")
    }

    const inspector = await master.inspector()
    if (flags.profile === "login") await inspector.startProfile()
    await fleet?.all({ type: "phase", phase: "login", churn: 0 })
    say(`login: ${flags.duration} s autocannon, ${flags.connections} connections, ${flags.users} accounts`)
    sampler.mark("login:start")
    let next = 0
    const [login, health] = await Promise.all([
      closedLoop({
        url: `${master.url}/api/v1/auth/login`,
        method: "POST",
        headers: { "content-type": "application/json" },
        connections: flags.connections,
        duration: flags.duration,
        requests: [{ method: "POST", setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length]! }) }]
      }),
      openLoop({ pool: probePool, rate: flags.probeRate, seconds: flags.duration, next: () => ({ path: "/healthz" }) })
    ])
    sampler.mark("login:end")
    const profiles: Record<string, unknown> = {}
    if (flags.profile === "login") {
      const profile = await inspector.stopProfile()
      const file = path.join(resultsDir, `login-${startedAt.replace(/[:.]/g, "-")}.cpuprofile`)
      fs.mkdirSync(resultsDir, { recursive: true })
      fs.writeFileSync(file, JSON.stringify(profile))
      profiles["login"] = { file: path.relative(process.cwd(), file), ...summarizeProfile(profile) }
    }
    await fleet?.all({ type: "phase", phase: "after", churn: 0 })
    if (fleet) await sleep(6_000)
    await fleet?.all({ type: "stop" })
    const fleetReplies = fleet ? await fleet.collect() : []
    const reportLatency = (phase: string) => {
      const merged = phaseOf(fleetReplies, phase)
      const s = summarize(merged.latencyMs)
      return { reports: s.count, p50: round(s.p50, 1), p99: round(s.p99, 1), max: round(s.max, 1), errors: merged.errors }
    }
    const reports = fleet ? { quiet: reportLatency("quiet"), duringLogin: reportLatency("login"), after: reportLatency("after") } : undefined

    const loginWindow = sampler.window("login:start", "login:end")
    const bareWindow = sampler.window("bare:start", "bare:end")
    const cpu = (w: Window, group: string) => round(w.cpuPercent[group] ?? 0, 1)
    const summary: Array<SummaryRow> = [
      {
        scenario: "login",
        load: `autocannon ${flags.connections} conns, ${flags.users} accounts, cost ${flags.bcryptCost}`,
        throughput: `${formatNumber(login.perSecond)} logins/s`,
        p50Ms: round(login.latencyMs.p50, 1),
        p99Ms: round(login.latencyMs.p99, 1),
        errors: login.errors,
        masterCpuPercent: cpu(loginWindow, "master"),
        masterPeakRssBytes: loginWindow.peakRss["master"] ?? null,
        rowsPerReport: null,
        bytesPerSlave: null,
        baselineRatio: login.perSecond / Math.max(1, bare.perSecond)
      },
      ...(raw === rawAll ? [] : [rawRow(rawAll, "the machine")]),
      rawRow(raw, "as the master"),
      {
        scenario: "bare Node POST",
        load: `autocannon ${flags.connections} conns, same body`,
        throughput: `${formatNumber(bare.perSecond)} POST/s`,
        p50Ms: round(bare.latencyMs.p50, 1),
        p99Ms: round(bare.latencyMs.p99, 1),
        errors: bare.errors,
        masterCpuPercent: cpu(bareWindow, "bare"),
        masterPeakRssBytes: bareWindow.peakRss["bare"] ?? null,
        rowsPerReport: null,
        bytesPerSlave: null,
        baselineRatio: 1
      }
    ]
    const checks: Array<Check> = [
      { name: "login errors", target: "0 (no lockouts, no failures)", value: `${login.errors} ${JSON.stringify(login.statuses)}`, pass: login.errors === 0 },
      {
        name: "logins vs raw bcrypt",
        target: `≥ 80 % of raw bcrypt verifies/s, ${raw.lanes} at a time as the master`,
        value: `${round((login.perSecond / Math.max(0.01, raw.perSecond)) * 100, 1)} %`,
        pass: login.perSecond >= raw.perSecond * 0.8
      },
      { name: "health probe during the flood", target: "p99 < 100 ms", value: `${round(health.latencyMs.p99, 1)} ms`, pass: health.latencyMs.p99 < 100 }
    ]
    if (reports) {
      checks.push({
        name: "slave reports during the flood",
        target: "p99 < 100 ms, no errors",
        value: `p99 ${reports.duringLogin.p99} ms (quiet ${reports.quiet.p99} ms), ${Object.values(reports.duringLogin.errors).reduce((a, b) => a + b, 0)} errors`,
        pass: reports.duringLogin.p99 < 100 && Object.keys(reports.duringLogin.errors).length === 0
      })
    }
    return {
      scenario: "login",
      command,
      startedAt,
      finishedAt: new Date().toISOString(),
      machine,
      settings: { ...flags, ...environmentSettings(settings, pgVersion) },
      summary,
      checks,
      details: {
        masterLog: master.logDigest(),
        rawBcrypt: raw,
        rawBcryptWholeMachine: rawAll,
        bare: describe(bare),
        login: { ...describe(login), resources: { cpuPercentOfOneCore: loginWindow.cpuPercent, machineBusyPercent: round(loginWindow.machineBusyPercent, 1) } },
        healthProbe: describe(health),
        reports,
        profiles
      },
      notes
    }
  } catch (error) {
    process.stderr.write(`master log (last lines):\n${master.recentLog()}\n`)
    throw error
  } finally {
    sampler.stop()
    await fleet?.close()
    await probePool.close().catch(() => undefined)
    await master.stop()
  }
}
