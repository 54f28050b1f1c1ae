/**
 * The authorization hook with real leases: a user leases a device through the master's API and
 * attaches with their VirtualHere client identity; the master hands the grant to the agent over
 * the slave link; the (simulated, licensed) vhusbd asks the hook before every bind.
 */
import { expect, layer } from "@effect/vitest"
import type { SlaveId } from "@ncod/core"
import { SimClientDaemon } from "@ncod/core/vh-sim"
import { Context, Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { approvedPerson } from "./support/Accounts.js"
import { adminApi, enrollmentToken, masterProcess, type MasterProcess } from "./support/MasterProcess.js"
import { eventually } from "./support/processes.js"
import { slaveSite } from "./support/SlaveSite.js"

class Master extends Context.Tag("slave-it/LeasesMaster")<Master, MasterProcess>() {}

layer(Layer.scoped(Master, masterProcess()), { timeout: 240_000, excludeTestServices: true })("the authorization hook with real leases", (it) => {
  it.scoped(
    "allows the lease holder's client, denies everyone else, and denies when the agent is down",
    () =>
      Effect.gen(function* () {
        const master = yield* Master
        const site = yield* slaveSite({ name: "lab-h" })
        const issued = yield* enrollmentToken(master, "for lab-h")
        const enrolled = yield* Effect.promise(() => site.cli(["enroll", "--master", master.url, "--token", issued.token, "--ca-file", master.caFile, "--name", "lab-h"]))
        expect(enrolled.code, enrolled.stderr).toBe(0)
        const slaveId = (JSON.parse(fs.readFileSync(path.join(site.configDir, "enrollment.json"), "utf8")) as { slaveId: SlaveId }).slaveId
        const agent = site.startAgent()
        yield* Effect.promise(() => agent.waitFor("grants link up", (line) => line.json["msg"] === "grants link to the master up"))
        yield* Effect.promise(() => agent.waitFor("first report", (line) => line.json["msg"] === "report sent"))

        const ann = yield* approvedPerson(master, `ann${Date.now() % 100000}`)
        const admin = yield* adminApi(master)
        yield* admin.adminFleet.createGrant({ payload: { target: { _tag: "slave", slaveId }, subject: { _tag: "user", userId: ann.userId } } })
        const devices = yield* ann.client.inventory.devices({ urlParams: { slaveId } })
        const ftdi = devices.items.find((view) => view.device.busPath === "1-1.2")!.device
        const lease = yield* ann.client.leases.create({ payload: { deviceId: ftdi.id } })
        const connection = yield* ann.client.leases.attach({ path: { id: lease.lease.id }, payload: { clientIdentity: "Ann Lee (ann)" } })
        expect(connection.advisory).toBe(false)
        expect(connection.bindPassword).not.toBeNull()
        yield* Effect.promise(() => agent.waitFor("the grant reached the agent", (line) => line.json["msg"] === "grant added" && line.json["leaseId"] === lease.lease.id))

        const client = (fullName: string, username: string) =>
          Effect.acquireRelease(
            Effect.promise(async () => {
              const daemon = await SimClientDaemon.start({
                fullName,
                username,
                hostname: `${username}-pc`,
                commandPipe: path.join(site.dir, `${username}-cmd`),
                responsePipe: path.join(site.dir, `${username}-resp`),
                hubs: [`127.0.0.1:${site.server.port}`],
                reconnectMillis: 100
              })
              await eventually("client connected", () => (daemon.hubStates().some((hub) => hub.state === "connected") ? true : undefined))
              return daemon
            }),
            (daemon) => Effect.promise(() => daemon.stop())
          )
        const annPc = yield* client("Ann Lee", "ann")
        const bobPc = yield* client("Bob Roe", "bob")
        const use = (pc: SimClientDaemon, line: string) => Effect.promise(() => pc.execute(line))
        const holder = () => site.server.listDevices().find((d) => d.busPath === "1-1.2")?.boundTo?.clientId ?? null
        const address = ftdi.vhAddress

        // someone else, even with the lease's password: denied
        expect(yield* use(bobPc, `USE,${address},${connection.bindPassword}`)).not.toMatch(/^OK/)
        // the holder without the password: denied
        expect(yield* use(annPc, `USE,${address}`)).not.toMatch(/^OK/)
        expect(holder()).toBeNull()
        // the holder with it: bound, and the master sees the device in use by that client
        expect((yield* use(annPc, `USE,${address},${connection.bindPassword}`)).trim()).toBe("OK")
        expect(holder()).toBe("Ann Lee (ann)")
        yield* Effect.promise(() =>
          eventually("in use at the master", () =>
            Effect.runPromise(admin.inventory.devices({ urlParams: { slaveId } })).then((page) =>
              page.items.some((v) => v.device.id === ftdi.id && v.device.boundClient === "Ann Lee (ann)") ? true : undefined
            )
          )
        )
        const decisions = agent.lines.filter((line) => String(line.json["msg"]).startsWith("hook "))
        expect(decisions.map((line) => [line.json["allow"], line.json["clientId"], line.json["reason"]])).toEqual([
          [false, "Bob Roe (bob)", "the device is leased to another client"],
          [false, "Ann Lee (ann)", "wrong or missing bind password"],
          [true, "Ann Lee (ann)", "lease holder"]
        ])
        // no decision line carries the password or its hash
        expect(JSON.stringify(agent.lines)).not.toContain(connection.bindPassword!)

        // the agent down: even the holder cannot bind again
        yield* use(annPc, `STOP USING,${address}`)
        yield* Effect.promise(() => agent.stop())
        expect(yield* use(annPc, `USE,${address},${connection.bindPassword}`)).not.toMatch(/^OK/)
        expect(holder()).toBeNull()

        // back up: the snapshot restores the grant; releasing the lease revokes it
        const again = site.startAgent()
        yield* Effect.promise(() => again.waitFor("grant restored", (line) => line.json["msg"] === "grant added" && line.json["leaseId"] === lease.lease.id))
        yield* ann.client.leases.release({ path: { id: lease.lease.id }, payload: {} })
        yield* Effect.promise(() => again.waitFor("grant revoked", (line) => line.json["msg"] === "grant revoked" && line.json["leaseId"] === lease.lease.id))
        expect(yield* use(annPc, `USE,${address},${connection.bindPassword}`)).not.toMatch(/^OK/)
        expect(holder()).toBeNull()
      }),
    180_000
  )
})
