import { execFileSync } from "node:child_process"
import { closeSync, constants as fsConstants, openSync } from "node:fs"
import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Option } from "effect"
import { type SimSite, startSimSite, writeAuthScript } from "../vh-sim/testing/simSite.js"
import { VhClient } from "./VhClient.js"

describe("the FIFO transport", () => {
  let site: SimSite
  beforeEach(async () => {
    site = await startSimSite()
  })
  afterEach(async () => {
    await site.close()
  })
  const fifo = () => VhClient.layerFifo({ commandPipe: site.commandPipe, responsePipe: site.responsePipe, timeout: "2 seconds" })

  it("drains a stale reply left in the response pipe before sending", async () => {
    // Hold a reader so a writer can leave bytes behind, as a reply nobody collected does.
    const holder = openSync(site.responsePipe, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK)
    execFileSync("/bin/sh", ["-c", `printf 'FAILED\\n' > '${site.responsePipe}'`])
    const list = await Effect.runPromise(Effect.provide(Effect.flatMap(VhClient, (c) => c.list()), fifo()))
    closeSync(holder)
    expect(list.hubs).toHaveLength(1)
  })

  it("serialises concurrent commands so replies never cross", async () => {
    const results = await Effect.runPromise(
      Effect.provide(
        Effect.flatMap(VhClient, (c) =>
          Effect.all([c.list(), c.deviceInfo("labhub.112"), c.state(), c.serverInfo("Lab Hub"), c.deviceInfo("labhub.113")], {
            concurrency: "unbounded"
          })
        ),
        fifo()
      )
    )
    expect(results[1].address).toBe("labhub.112")
    expect(results[4].address).toBe("labhub.113")
  })

  it("fails fast when the pipes do not exist", async () => {
    const exit = await Effect.runPromiseExit(
      Effect.provide(Effect.flatMap(VhClient, (c) => c.list()), VhClient.layerFifo({ commandPipe: `${site.dir}/none`, responsePipe: `${site.dir}/none2` }))
    )
    expect(Exit.isFailure(exit) && Option.getOrThrow(Cause.failureOption(exit.cause))._tag).toBe("VhClientNotRunning")
  })
})

describe("the authorization hook, exercised through the simulated vhusbd", () => {
  let site: SimSite
  afterEach(async () => {
    await site.close()
  })
  const run = <A, E>(effect: Effect.Effect<A, E, VhClient>) =>
    Effect.runPromiseExit(
      Effect.provide(effect, VhClient.layerFifo({ commandPipe: site.commandPipe, responsePipe: site.responsePipe, timeout: "3 seconds" }))
    )

  it("passes vhusbd's placeholders and obeys the exit status (1 allow, 0 deny)", async () => {
    const dir = await import("node:fs/promises").then((fs) => fs.mkdtemp(`${process.env["TMPDIR"] ?? "/tmp"}/vhauth-`))
    const auth = await writeAuthScript(dir)
    site = await startSimSite({ clientAuthorization: auth.commandLine })
    expect(Exit.isSuccess(await run(Effect.flatMap(VhClient, (c) => c.use("labhub.112", "hunter2"))))).toBe(true)
    await auth.decide(0)
    const denied = await run(Effect.flatMap(VhClient, (c) => c.use("labhub.113")))
    expect(Exit.isFailure(denied) && Option.getOrThrow(Cause.failureOption(denied.cause))._tag).toBe("VhCommandFailed")
    const calls = await auth.calls()
    expect(calls[0]).toBe(
      `0403|6001|Ann Lee (ann)|127.0.0.1|ANN-PC|A50285BI|2ab96390c7dbe3439de74d0c9b0b1767|/sys/bus/usb/devices/1-1.2||0|`
    )
    expect(calls[1]).toBe(`064f|2af9|Ann Lee (ann)|127.0.0.1|ANN-PC|2-1234567||/sys/bus/usb/devices/1-1.3||1|`)
    expect(site.server.listDevices().filter((d) => d.boundTo !== null).map((d) => d.address)).toEqual([112])
  })

  it("an unlicensed server ignores the hook and shares one device at a time", async () => {
    const dir = await import("node:fs/promises").then((fs) => fs.mkdtemp(`${process.env["TMPDIR"] ?? "/tmp"}/vhauth-`))
    const auth = await writeAuthScript(dir)
    site = await startSimSite({ licensed: false, clientAuthorization: auth.commandLine })
    expect(Exit.isSuccess(await run(Effect.flatMap(VhClient, (c) => c.use("labhub.112"))))).toBe(true)
    expect(Exit.isFailure(await run(Effect.flatMap(VhClient, (c) => c.use("labhub.113"))))).toBe(true)
    expect(await auth.calls()).toEqual([])
    const info = await run(Effect.flatMap(VhClient, (c) => c.serverInfo("Lab Hub")))
    expect(Exit.isSuccess(info) && info.value.maxDevices).toBe(1)
  })
})
