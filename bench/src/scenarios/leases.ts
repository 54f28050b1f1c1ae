/**
 * `leases`: acquire/release churn across many users and devices (issue 7's API).
 *
 * The scenario asks the master first and stops with one line when POST /api/v1/leases is not a
 * route (a master from before issue 7). Then: POST /api/v1/leases {deviceId} → 201 with the lease,
 * 409 DeviceBusy when someone holds it; POST /api/v1/leases/{id}/release to let go. The slaves
 * report once and get an hour-long interval, so they stay online through the run.
 *
 *   bare     autocannon POSTing a lease request to a bare Node server
 *   churn    --users users each acquire a random granted device, hold it --hold-ms, release it
 */
import type { FlagSpecs, FlagValues } from "../args.js"
import { startBaseline } from "../baseline.js"
import { commonFlags, environmentSettings, masterSettings } from "../common.js"
import { ActivitySampler, connect, counters, delta, serverVersion } from "../db.js"
import { mapLimit } from "../http.js"
import { closedLoop, pool } from "../load.js"
import { describeMachine } from "../machine.js"
import { startSampledMaster } from "../sampledMaster.js"
import { type Check, type Result, say, sleep } from "../report.js"
import { grantSlaves, seedFleet, seedOrgUnits, seedUsers, signIn } from "../seed.js"
import { round, Samples, summarize } from "../stats.js"
import { formatNumber, type SummaryRow } from "../table.js"

export const leasesFlags = {
  users: { kind: "number", default: 50, min: 1, help: "users acquiring and releasing" },
  slaves: { kind: "number", default: 50, min: 1, help: "slaves (all granted to the users' org unit)" },
  devices: { kind: "number", default: 8, min: 1, max: 64, help: "devices per slave" },
  duration: { kind: "number", default: 30, min: 1, help: "seconds of churn" },
  holdMs: { kind: "number", default: 200, min: 0, help: "how long a lease is held before release" },
  ...commonFlags
} as const satisfies FlagSpecs

type Flags = FlagValues<typeof leasesFlags>

export class LeasesUnavailable extends Error {}

export const runLeases = async (flags: Flags, command: string): Promise<Result> => {
  const startedAt = new Date().toISOString()
  const notes: Array<string> = []
  say("measuring the machine")
  const machine = await describeMachine(flags.waitQuiet)
  const settings = masterSettings(flags, "leases", {
    NCOD_ENROLLMENTS_PER_HOUR: "1000000",
    NCOD_REGISTRATIONS_PER_HOUR: "10000",
    NCOD_REPORT_INTERVAL_SECONDS: "3600"
  })
  const { sampler, master } = await startSampledMaster(settings)
  try {
    const admin = await master.adminToken()
    const probe = await master.api.call("POST", "/api/v1/leases", { token: admin, body: { deviceId: "00000000-0000-4000-8000-000000000000" } })
    const routeMissing = probe.status === 404 && (probe.body as { resource?: string } | undefined)?.resource === "route"
    if (routeMissing || probe.status === 405) {
      throw new LeasesUnavailable(`the leases API is not available on this master (POST /api/v1/leases → ${probe.status})`)
    }

    const pgVersion = master.databaseUrl ? await connect(master.databaseUrl).then(async (c) => [await serverVersion(c), await c.end()][0] as string) : "embedded"
    const slaveIds = await seedFleet(master, { slaves: flags.slaves, devices: flags.devices, workers: 1 })
    const units = await seedOrgUnits(master)
    await grantSlaves(master, slaveIds, units.companyId)
    say(`registering ${flags.users} users`)
    const users = await seedUsers(master, flags.users, units.departmentId)
    const tokens = await mapLimit(users, 4, (u) => signIn(master, u.username, u.password))
    const devices = (await master.api.ok<{ items: Array<{ device: { id: string } }> }>("GET", "/api/v1/devices?limit=500", { token: tokens[0]! })).items.map(
      (view) => view.device.id
    )
    if (devices.length === 0) throw new Error("the users see no devices")

    say("baseline: autocannon POST to a bare Node server")
    const bareServer = await startBaseline({ keysDir: flags.insecure ? undefined : master.keysDir })
    const bare = await closedLoop({
      url: `${bareServer.url}/api/v1/leases`,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ deviceId: devices[0] }),
      connections: Math.min(32, flags.users),
      duration: 10
    })
    await bareServer.stop()

    const http = pool(master.url, master.ca, Math.min(64, flags.users))
    const acquire = new Samples()
    const release = new Samples()
    const outcomes: Record<string, number> = {}
    const bump = (key: string) => (outcomes[key] = (outcomes[key] ?? 0) + 1)
    const db = master.databaseUrl ? await connect(master.databaseUrl) : undefined
    const before = db ? await counters(db) : undefined
    const activity = master.databaseUrl ? new ActivitySampler(await connect(master.databaseUrl)) : undefined
    activity?.start()
    say(`churn: ${flags.users} users for ${flags.duration} s`)
    sampler.mark("churn:start")
    const deadline = performance.now() + flags.duration * 1000
    await Promise.all(
      tokens.map(async (token) => {
        const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" }
        while (performance.now() < deadline) {
          const deviceId = devices[Math.floor(Math.random() * devices.length)]!
          const t0 = performance.now()
          const response = await http.request({ path: "/api/v1/leases", method: "POST", headers, body: JSON.stringify({ deviceId }) })
          const text = await response.body.text()
          acquire.add(performance.now() - t0)
          if (response.statusCode === 409 && text.includes('"DeviceBusy"')) {
            bump("busy")
            continue
          }
          if (response.statusCode < 200 || response.statusCode > 299) {
            let tag = ""
            try {
              tag = ` ${(JSON.parse(text) as { _tag?: string; reason?: string })._tag ?? ""} ${(JSON.parse(text) as { reason?: string }).reason ?? ""}`.trimEnd()
            } catch {
              // not JSON
            }
            bump(`acquire ${response.statusCode}${tag}`)
            await sleep(100)
            continue
          }
          bump("acquired")
          const lease = (JSON.parse(text) as { lease: { id: string } }).lease
          await sleep(flags.holdMs)
          const t1 = performance.now()
          const released = await http.request({ path: `/api/v1/leases/${lease.id}/release`, method: "POST", headers, body: "{}" })
          await released.body.arrayBuffer()
          release.add(performance.now() - t1)
          bump(released.statusCode >= 200 && released.statusCode < 300 ? "released" : `release ${released.statusCode}`)
        }
      })
    )
    sampler.mark("churn:end")
    const window = sampler.window("churn:start", "churn:end")
    const writes = db && before ? delta(before, await counters(db)) : undefined
    const dbConnections = await activity?.stop()
    await db?.end()
    await http.close()
    const acquired = outcomes["acquired"] ?? 0
    const acquireLatency = summarize(acquire.toArray())
    const releaseLatency = summarize(release.toArray())
    const errors = Object.entries(outcomes).filter(([k]) => k.startsWith("acquire ") || k.startsWith("release ")).reduce((n, [, v]) => n + v, 0)
    const summary: Array<SummaryRow> = [
      {
        scenario: "leases acquire",
        load: `${flags.users} users × ${formatNumber(devices.length)} devices, hold ${flags.holdMs} ms`,
        throughput: `${formatNumber(acquired / window.seconds)} leases/s (${formatNumber(acquire.length / window.seconds)} tries/s)`,
        p50Ms: round(acquireLatency.p50, 1),
        p99Ms: round(acquireLatency.p99, 1),
        errors,
        masterCpuPercent: round(window.cpuPercent["master"] ?? 0, 1),
        masterPeakRssBytes: window.peakRss["master"] ?? null,
        rowsPerReport: writes && acquired > 0 ? round(writes.rows / acquired, 2) : null,
        bytesPerSlave: null,
        baselineRatio: acquire.length / window.seconds / Math.max(1, bare.perSecond)
      },
      {
        scenario: "leases release",
        load: "after each acquisition",
        throughput: `${formatNumber(release.length / window.seconds)} releases/s`,
        p50Ms: round(releaseLatency.p50, 1),
        p99Ms: round(releaseLatency.p99, 1),
        errors: null,
        masterCpuPercent: null,
        masterPeakRssBytes: null,
        rowsPerReport: null,
        bytesPerSlave: null,
        baselineRatio: null
      }
    ]
    const checks: Array<Check> = [
      { name: "lease errors", target: "0", value: errors === 0 ? "0" : JSON.stringify(outcomes), pass: errors === 0 },
      { name: "every acquired lease released", target: `${acquired}`, value: String(outcomes["released"] ?? 0), pass: (outcomes["released"] ?? 0) === acquired }
    ]
    notes.push("rows/report in this scenario is rows written per acquired lease (acquire + release)")
    return {
      scenario: "leases",
      command,
      startedAt,
      finishedAt: new Date().toISOString(),
      machine,
      settings: { ...flags, ...environmentSettings(settings, pgVersion) },
      summary,
      checks,
      details: {
        masterLog: master.logDigest(),
        outcomes,
        acquireMs: acquireLatency,
        releaseMs: releaseLatency,
        writes,
        dbConnections,
        resources: window,
        bare: { perSecond: round(bare.perSecond, 1) }
      },
      notes
    }
  } finally {
    sampler.stop()
    await master.stop()
  }
}
