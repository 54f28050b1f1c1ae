/**
 * ncod-slave against a real master (its own process, real PostgreSQL) and the VirtualHere
 * simulator: enrollment, the first report, the report interval, plug and unplug, vhusbd going away,
 * advisory mode, deregistration. The master-restart suite is in master-restart.test.ts.
 */
import { expect, layer } from "@effect/vitest"
import type { SlaveId } from "@ncod/core"
import { Context, Effect, Layer } from "effect"
import { X509Certificate } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { adminApi, enrollmentToken, masterProcess, type MasterProcess, storedSlave } from "./support/MasterProcess.js"
import { eventually } from "./support/processes.js"
import { dongle, ftdi, noSerial, type SlaveSite, slaveSite, unicode } from "./support/SlaveSite.js"

class Master extends Context.Tag("slave-it/Master")<Master, MasterProcess>() {}

const enroll = (site: SlaveSite, master: MasterProcess, name: string) =>
  Effect.gen(function* () {
    const issued = yield* enrollmentToken(master, `for ${name}`)
    const result = yield* Effect.promise(() =>
      site.cli(["enroll", "--master", master.url, "--token", issued.token, "--ca-file", master.caFile, "--name", name, "--host", `${name}.lab.example`])
    )
    expect(result.code, result.stderr).toBe(0)
    const record = JSON.parse(fs.readFileSync(path.join(site.configDir, "enrollment.json"), "utf8")) as { slaveId: SlaveId }
    return { slaveId: record.slaveId, stdout: result.stdout }
  })

const slaveOf = (master: MasterProcess, slaveId: SlaveId) =>
  Effect.flatMap(adminApi(master), (admin) => admin.inventory.slave({ path: { id: slaveId } }))

const devicesOf = (master: MasterProcess, slaveId: SlaveId) =>
  Effect.flatMap(adminApi(master), (admin) => admin.inventory.devices({ urlParams: { slaveId, limit: 100 } })).pipe(
    Effect.map((page) => page.items.map((view) => view.device))
  )

layer(Layer.scoped(Master, masterProcess({}, { fullChain: true })), { timeout: 240_000, excludeTestServices: true })("ncod-slave against a real master", (it) => {
  it.scoped(
    "enrolls with a token, stores its credential privately, and its first report lands within a second of starting",
    () =>
      Effect.gen(function* () {
        const master = yield* Master
        const site = yield* slaveSite({ name: "lab-a", devices: [ftdi, dongle, noSerial, unicode], env: { NCOD_LOG_LEVEL: "trace" } })
        const { slaveId, stdout } = yield* enroll(site, master, "lab-a")
        expect(stdout).toMatch(/^enrolled as lab-a/)
        expect(fs.statSync(path.join(site.configDir, "enrollment.json")).mode & 0o777).toBe(0o600)
        expect(fs.readFileSync(path.join(site.configDir, "ca.crt"), "utf8")).toBe(master.ca)

        const agent = site.startAgent()
        const started = yield* Effect.promise(() => agent.waitFor("agent started", (line) => line.json["msg"] === "agent started"))
        const startedAt = Date.parse(String(started.json["time"]))
        const slave = yield* Effect.promise(() =>
          eventually("the master sees the slave", () => Effect.runPromise(slaveOf(master, slaveId).pipe(Effect.map((s) => (s.slave.lastSeenAt === null ? undefined : s)))))
        )
        const firstReportMs = slave.slave.lastSeenAt!.epochMillis - startedAt
        const sending = agent.lines.find((line) => line.json["msg"] === "report sending")
        console.log(`first report landed ${firstReportMs} ms after the agent started (sent after ${sending ? Date.parse(String(sending.json["time"])) - startedAt : "?"} ms)`)
        expect(firstReportMs).toBeLessThan(1_000)
        expect(slave.slave).toMatchObject({ status: "online", accessMode: "enforced", degraded: false, vhLicensed: true, vhServerName: "lab-a" })

        const devices = yield* devicesOf(master, slaveId)
        expect(devices.map((d) => [d.vhAddress, d.busPath, d.serial, d.product]).sort()).toEqual(
          [
            ["lab-a.112", "1-1.2", "A50285BI", "FT232R USB UART"],
            ["lab-a.113", "1-1.3", "2-1234567", "WIBU-BOX/U"],
            ["lab-a.114", "1-1.4", null, "USB-Serial Controller"],
            ["lab-a.21", "2-1", "Ñ-001", "温度传感器 🌡"]
          ].sort()
        )
        expect(devices.find((d) => d.busPath === "1-1.2")).toMatchObject({ speed: "12", manufacturer: "FTDI", state: "available" })
      }),
    120_000
  )

  it.scoped(
    "reports every interval the master asks for, with a sequence number that only grows",
    () =>
      Effect.gen(function* () {
        const master = yield* Master
        const site = yield* slaveSite({ name: "lab-b" })
        const { slaveId } = yield* enroll(site, master, "lab-b")
        const agent = site.startAgent()
        yield* Effect.promise(() => agent.waitFor("first report", (line) => line.json["msg"] === "report sent"))
        yield* Effect.sleep("4500 millis")
        const sent = agent.lines.filter((line) => line.json["msg"] === "report sent")
        const seqs = sent.map((line) => Number(line.json["seq"]))
        expect(seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]!)).toBe(true)
        const gaps = sent.slice(1).map((line, i) => Date.parse(String(line.json["time"])) - Date.parse(String(sent[i]!.json["time"])))
        console.log(`report gaps (ms): ${gaps.join(", ")}`)
        // NCOD_REPORT_INTERVAL_SECONDS=1 with the master's ±10 % jitter
        expect(gaps.length).toBeGreaterThanOrEqual(3)
        for (const gap of gaps) {
          expect(gap).toBeGreaterThan(800)
          expect(gap).toBeLessThan(1_400)
        }
        const slave = yield* slaveOf(master, slaveId)
        expect(slave.slave.lastReportSeq).toBeGreaterThanOrEqual(seqs[seqs.length - 2]!)

        // restarting the agent keeps the sequence ahead of everything sent before
        yield* Effect.promise(() => agent.stop())
        const again = site.startAgent()
        const next = yield* Effect.promise(() => again.waitFor("a report after the restart", (line) => line.json["msg"] === "report sent" && line.json["outcome"] !== undefined))
        expect(Number(next.json["seq"])).toBeGreaterThan(seqs[seqs.length - 1]!)
        expect(next.json["outcome"]).not.toBe("stale")
      }),
    120_000
  )

  it.scoped(
    "shows a plugged and an unplugged device at the master within two seconds",
    () =>
      Effect.gen(function* () {
        const master = yield* Master
        const site = yield* slaveSite({ name: "lab-c" })
        const { slaveId } = yield* enroll(site, master, "lab-c")
        const agent = site.startAgent()
        yield* Effect.promise(() => agent.waitFor("first report", (line) => line.json["msg"] === "report sent"))
        const admin = yield* adminApi(master)
        const states = () =>
          Effect.runPromise(admin.inventory.devices({ urlParams: { slaveId, limit: 100 } }).pipe(Effect.map((page) => page.items.map((v) => v.device))))

        for (const round of [1, 2, 3]) {
          const plugged = Date.now()
          yield* Effect.promise(() => site.server.plug(noSerial))
          yield* Effect.promise(() =>
            eventually("the plugged device at the master", async () => ((await states()).some((d) => d.busPath === "1-1.4" && d.state === "available") ? true : undefined), 5_000)
          )
          const plugMs = Date.now() - plugged
          const unplugged = Date.now()
          yield* Effect.promise(() => site.server.unplug("1-1.4"))
          // removed devices leave the inventory list
          yield* Effect.promise(() =>
            eventually("the unplugged device gone at the master", async () => ((await states()).some((d) => d.busPath === "1-1.4") ? undefined : true), 5_000)
          )
          const unplugMs = Date.now() - unplugged
          console.log(`round ${round}: plug → master ${plugMs} ms, unplug → master ${unplugMs} ms`)
          expect(plugMs).toBeLessThan(2_000)
          expect(unplugMs).toBeLessThan(2_000)
        }
        expect(agent.lines.filter((line) => line.json["msg"] === "device plugged")).toHaveLength(3)
        expect(agent.lines.filter((line) => line.json["msg"] === "device unplugged")).toHaveLength(3)
      }),
    120_000
  )

  it.scoped(
    "reports itself degraded while vhusbd is away and recovers when it returns, without crashing",
    () =>
      Effect.gen(function* () {
        const master = yield* Master
        const site = yield* slaveSite({ name: "lab-d" })
        const { slaveId } = yield* enroll(site, master, "lab-d")
        const agent = site.startAgent()
        yield* Effect.promise(() => agent.waitFor("first report", (line) => line.json["msg"] === "report sent"))
        // with the embedded database, the (30 s) cached API is all there is to ask
        const degraded = () =>
          master.databaseUrl === undefined
            ? Effect.runPromise(slaveOf(master, slaveId)).then((s) => s.slave.degraded)
            : Effect.runPromise(storedSlave(master, slaveId)).then((row) => row?.degraded)
        const patience = master.databaseUrl === undefined ? 40_000 : 10_000
        yield* Effect.promise(() => site.server.goAway())
        yield* Effect.promise(() => eventually("degraded at the master", async () => ((await degraded()) === true ? true : undefined), patience))
        // the scan can see the client lose vhusbd before the port watch's next probe: wait for the watch too
        yield* Effect.promise(() => agent.waitFor("vhusbd down", (line) => line.json["msg"] === "vhusbd down: the slave reports itself degraded"))
        // the devices are the last ones seen, not an empty list that would end their leases
        expect((yield* devicesOf(master, slaveId)).filter((d) => d.state !== "removed")).toHaveLength(2)
        yield* Effect.promise(() => site.server.comeBack())
        yield* Effect.promise(() => eventually("recovered at the master", async () => ((await degraded()) === false ? true : undefined), patience))
        expect(agent.alive()).toBe(true)
        expect(agent.lines.filter((line) => line.json["msg"] === "vhusbd down: the slave reports itself degraded")).toHaveLength(1)
        expect(agent.lines.filter((line) => line.json["msg"] === "vhusbd up")).toHaveLength(2)
      }),
    120_000
  )

  it.scoped(
    "runs in advisory mode on an unlicensed vhusbd and says so to the master",
    () =>
      Effect.gen(function* () {
        const master = yield* Master
        const site = yield* slaveSite({ name: "lab-e", licensed: false })
        const { slaveId } = yield* enroll(site, master, "lab-e")
        const agent = site.startAgent()
        yield* Effect.promise(() => agent.waitFor("advisory mode", (line) => line.json["msg"] === "advisory mode: access is not enforced on this slave"))
        const slave = yield* Effect.promise(() =>
          eventually("the slave at the master", () => Effect.runPromise(slaveOf(master, slaveId).pipe(Effect.map((s) => (s.slave.lastSeenAt === null ? undefined : s)))))
        )
        expect(slave.slave).toMatchObject({ accessMode: "advisory", vhLicensed: false, vhMaxDevices: 1 })
      }),
    120_000
  )

  it.scoped(
    "keeps its identity when enrolled again, picks the new credential up while running, and deregisters cleanly",
    () =>
      Effect.gen(function* () {
        const master = yield* Master
        const site = yield* slaveSite({ name: "lab-f" })
        const first = yield* enroll(site, master, "lab-f")
        const agent = site.startAgent()
        yield* Effect.promise(() => agent.waitFor("first report", (line) => line.json["msg"] === "report sent"))
        const second = yield* enroll(site, master, "lab-f")
        expect(second.slaveId).toBe(first.slaveId)
        expect(second.stdout).toMatch(/^re-enrolled \(same identity\)/)
        const changedAt = Date.now()
        yield* Effect.promise(() => agent.waitFor("reports with the new credential", (line) => line.at > changedAt + 1_500 && line.json["msg"] === "report sent"))
        // (a report in flight while the master swapped the credential may be refused once; the next one is not)

        const status = yield* Effect.promise(() => site.cli(["status"]))
        expect(status.code, status.stdout + status.stderr).toBe(0)
        expect(status.stdout).toMatch(/master\s+reachable/)
        expect(status.stdout).toMatch(/access\s+enforced/)

        const gone = yield* Effect.promise(() => site.cli(["deregister"]))
        expect(gone.code, gone.stderr).toBe(0)
        expect(fs.existsSync(path.join(site.configDir, "enrollment.json"))).toBe(false)
        const lookup = yield* Effect.flip(slaveOf(master, first.slaveId))
        expect(lookup._tag).toBe("NotFound")
        yield* Effect.promise(() => agent.waitFor("not enrolled", (line) => String(line.json["msg"]).startsWith("not enrolled")))
        expect(agent.alive()).toBe(true)
        const after = yield* Effect.promise(() => site.cli(["status"]))
        expect(after.code).toBe(1)
        expect(after.stdout).toMatch(/not enrolled/)
      }),
    120_000
  )

  it.scoped(
    "pins the master's CA on first use only when its fingerprint is confirmed, and says in one line what is wrong otherwise",
    () =>
      Effect.gen(function* () {
        const master = yield* Master
        const site = yield* slaveSite({ name: "lab-g" })
        const issued = yield* enrollmentToken(master, "for lab-g")
        const fingerprint = `sha256:${new X509Certificate(master.ca).fingerprint256}`
        const enrollWith = (...extra: Array<string>) => Effect.promise(() => site.cli(["enroll", "--master", master.url, "--token", issued.token, "--name", "lab-g", ...extra]))

        const unconfirmed = yield* enrollWith()
        expect(unconfirmed.code).toBe(1)
        expect(unconfirmed.stdout).toContain(fingerprint)
        expect(unconfirmed.stderr.trim().split("\n"), unconfirmed.stderr).toHaveLength(1)
        expect(unconfirmed.stderr).toMatch(/^ncod-slave: cannot confirm the master's CA without a terminal/)
        const wrong = yield* enrollWith("--ca-fingerprint", "sha256:" + "00:".repeat(31) + "00")
        expect(wrong.code).toBe(1)
        expect(wrong.stderr).toMatch(/not trusted/)
        expect(fs.existsSync(path.join(site.configDir, "enrollment.json"))).toBe(false)

        const confirmed = yield* enrollWith("--ca-fingerprint", fingerprint.toLowerCase())
        expect(confirmed.code, confirmed.stderr).toBe(0)
        expect(new X509Certificate(fs.readFileSync(path.join(site.configDir, "ca.crt"), "utf8")).fingerprint256).toBe(new X509Certificate(master.ca).fingerprint256)

        const reused = yield* Effect.promise(() => site.cli(["enroll", "--master", master.url, "--token", issued.token]))
        expect(reused.code).toBe(1)
        expect(reused.stdout).toMatch(/using the CA pinned earlier/)
        expect(reused.stderr.trim()).toBe("ncod-slave: the master refused the enrollment token (wrong, expired, used up or revoked): ask an admin for a new one")
        const away = yield* Effect.promise(() => site.cli(["enroll", "--master", "https://127.0.0.1:1", "--token", "x", "--ca-file", master.caFile]))
        expect(away.code).toBe(1)
        expect(away.stderr.trim()).toMatch(/^ncod-slave: cannot enroll with https:\/\/127.0.0.1:1: .*ECONNREFUSED/)
        const plain = yield* Effect.promise(() => site.cli(["enroll", "--master", "http://127.0.0.1:1", "--token", "x"]))
        expect(plain.stderr.trim()).toBe("ncod-slave: --master must be an https:// URL: the credential must never travel in clear")
      }),
    120_000
  )

  it.scoped(
    "pauses once when decommissioned, without exiting, and resumes by itself when re-admitted",
    () =>
      Effect.gen(function* () {
        const master = yield* Master
        const site = yield* slaveSite({ name: "lab-k", env: { NCOD_SLAVE_DECOMMISSIONED_RETRY_SECONDS: "1" } })
        const { slaveId } = yield* enroll(site, master, "lab-k")
        const agent = site.startAgent()
        yield* Effect.promise(() => agent.waitFor("first report", (line) => line.json["msg"] === "report sent"))
        const admin = yield* adminApi(master)
        yield* admin.adminFleet.decommissionSlave({ path: { id: slaveId } })
        yield* Effect.promise(() => agent.waitFor("decommissioned", (line) => String(line.json["msg"]).startsWith("this slave is decommissioned: reports pause")))
        yield* Effect.sleep("3 seconds")
        expect(agent.lines.filter((line) => String(line.json["msg"]).startsWith("this slave is decommissioned: reports pause"))).toHaveLength(1)
        expect(agent.alive()).toBe(true)
        const readmitted = Date.now()
        yield* admin.adminFleet.readmitSlave({ path: { id: slaveId } })
        yield* Effect.promise(() => agent.waitFor("reports again", (line) => line.at > readmitted && String(line.json["msg"]).startsWith("master reachable")))
      }),
    120_000
  )
})
