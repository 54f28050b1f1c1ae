/**
 * The master goes away for a while and comes back: the agent keeps running, logs the outage once,
 * and the master converges to the slave's true state (changed while it was away) soon after.
 */
import { expect, layer } from "@effect/vitest"
import type { SlaveId } from "@ncod/core"
import { Context, Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { adminApi, enrollmentToken, masterProcess, type MasterProcess } from "./support/MasterProcess.js"
import { eventually } from "./support/processes.js"
import { dongle, ftdi, noSerial, slaveSite } from "./support/SlaveSite.js"

class Master extends Context.Tag("slave-it/RestartMaster")<Master, MasterProcess>() {}

layer(Layer.scoped(Master, masterProcess({ NCOD_OFFLINE_AFTER_MISSED: "3" })), { timeout: 240_000, excludeTestServices: true })("a master that goes away", (it) => {
  it.scoped(
    "is waited out without a crash or a log flood, and sees the true state soon after it returns",
    () =>
      Effect.gen(function* () {
        const master = yield* Master
        const site = yield* slaveSite({ name: "lab-r", devices: [ftdi, dongle] })
        const issued = yield* enrollmentToken(master, "for lab-r")
        const enrolled = yield* Effect.promise(() => site.cli(["enroll", "--master", master.url, "--token", issued.token, "--ca-file", master.caFile, "--name", "lab-r"]))
        expect(enrolled.code, enrolled.stderr).toBe(0)
        const slaveId = (JSON.parse(fs.readFileSync(path.join(site.configDir, "enrollment.json"), "utf8")) as { slaveId: SlaveId }).slaveId
        const agent = site.startAgent()
        yield* Effect.promise(() => agent.waitFor("first report", (line) => line.json["msg"] === "report sent"))
        yield* Effect.promise(() => agent.waitFor("grants link up", (line) => line.json["msg"] === "grants link to the master up"))

        const stoppedAt = Date.now()
        yield* Effect.promise(() => master.stop())
        yield* Effect.sleep("2 seconds")
        yield* Effect.promise(() => site.server.unplug("1-1.3"))
        yield* Effect.sleep("2 seconds")
        yield* Effect.promise(() => site.server.plug(noSerial))
        yield* Effect.sleep("8 seconds")
        const duringOutage = agent.lines.filter((line) => line.at >= stoppedAt && line.json["level"] !== "debug")
        console.log(`agent log lines (info and above) during a 12 s outage: ${duringOutage.length}\n${duringOutage.map((l) => `  ${l.json["msg"]}`).join("\n")}`)
        expect(duringOutage.filter((line) => String(line.json["msg"]).startsWith("master unreachable"))).toHaveLength(1)
        expect(duringOutage.filter((line) => String(line.json["msg"]).startsWith("grants link to the master down"))).toHaveLength(1)
        expect(duringOutage.length).toBeLessThanOrEqual(6)
        // and nothing at debug level per retry either
        expect(agent.lines.filter((line) => line.at >= stoppedAt).length).toBeLessThanOrEqual(10)
        expect(agent.alive()).toBe(true)

        // the master may take a report between listening and announcing itself (what start() waits
        // for): what the agent did after the restart is what it did from the moment start() began
        const restartingAt = Date.now()
        yield* Effect.promise(() => master.start())
        const restartedAt = Date.now()
        const admin = yield* adminApi(master)
        yield* Effect.promise(() =>
          eventually(
            "the master converges to the true state",
            async () => {
              const page = await Effect.runPromise(admin.inventory.devices({ urlParams: { slaveId } }))
              const paths = page.items.filter((v) => v.device.state !== "offline").map((v) => v.device.busPath).sort()
              return JSON.stringify(paths) === JSON.stringify(["1-1.2", "1-1.4"]) ? true : undefined
            },
            20_000
          )
        )
        const convergedMs = Date.now() - restartedAt
        console.log(`the master showed the true state ${convergedMs} ms after it was listening again`)
        expect(convergedMs).toBeLessThan(5_000)
        // the first report after the outage carried the newest state
        const firstBack = agent.lines.find((line) => line.at >= restartingAt && line.json["msg"] === "report sent")
        expect(firstBack?.json["devices"]).toBe(2)
        expect(agent.lines.filter((line) => line.at >= restartingAt && String(line.json["msg"]).startsWith("master reachable"))).toHaveLength(1)
        yield* Effect.promise(() => agent.waitFor("grants link back", (line) => line.at >= restartingAt && line.json["msg"] === "grants link to the master up"))
        expect(agent.alive()).toBe(true)
      }),
    180_000
  )
})
