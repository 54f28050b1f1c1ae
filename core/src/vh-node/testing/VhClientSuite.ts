import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Either, Exit, type Layer, Option, Schedule } from "effect"
import { findVhStateDevice, parseClientState, parseListReply, printClientState, printListReply } from "../../vh/index.js"
import { type SimSite, startSimSite } from "../../vh-sim/testing/simSite.js"
import { VhClient } from "../VhClient.js"

/**
 * One behaviour suite for `VhClient`, run against the simulator over every transport (one test
 * file per transport, so they run in parallel): the same expectations whatever carries the bytes.
 */
export interface TransportCase {
  readonly name: string
  /** The per-command timeout the layer uses; the slow-reply test waits past it. */
  readonly timeoutMillis: number
  readonly layer: (site: SimSite) => Layer.Layer<VhClient>
}

export const describeVhClientSuite = ({ name, layer, timeoutMillis }: TransportCase) =>
  describe(`VhClient over ${name}`, () => {
  let site: SimSite
  beforeEach(async () => {
    site = await startSimSite()
  })
  afterEach(async () => {
    await site.close()
  })

  const run = <A, E>(effect: Effect.Effect<A, E, VhClient>) => Effect.runPromise(Effect.provide(effect, layer(site)))
  const failure = async <A, E>(effect: Effect.Effect<A, E, VhClient>) => {
    const exit = await Effect.runPromiseExit(Effect.provide(effect, layer(site)))
    if (Exit.isSuccess(exit)) throw new Error("expected a failure")
    return Option.getOrThrow(Cause.failureOption(exit.cause)) as { _tag: string }
  }
  const client = VhClient

  it("lists the hub and its devices, and the listing round-trips through print and parse", async () => {
    const list = await run(Effect.flatMap(client, (c) => c.list()))
    expect(list.hubs).toHaveLength(1)
    expect(list.hubs[0]).toMatchObject({ name: "Lab Hub", host: "labhub", port: site.server.port })
    expect(list.hubs[0]!.devices.map((d) => [d.name, d.address])).toEqual([
      ["FT232R USB UART", "labhub.112"],
      ["WIBU-BOX/U", "labhub.113"],
      ["0x0a2b", "labhub.21"]
    ])
    expect(Either.getOrThrow(parseListReply(printListReply(list)))).toEqual(list)
    const state = await run(Effect.flatMap(client, (c) => c.state()))
    expect(Either.getOrThrow(parseClientState(printClientState(state)))).toEqual(state)
  })

  it("uses a device, sees it bound to this client, then stops using it", async () => {
    await run(Effect.flatMap(client, (c) => c.use("LABHUB.112")))
    const state = await run(Effect.flatMap(client, (c) => c.state()))
    const device = findVhStateDevice(state, "labhub.112")
    expect(device?.bound).toBe(true)
    expect(device?.device).toMatchObject({ clientId: "Ann Lee (ann)", boundClientHostname: "ANN-PC", idVendor: 0x0403 })
    const list = await run(Effect.flatMap(client, (c) => c.list()))
    expect(list.hubs[0]!.devices[0]!.status).toEqual({ _tag: "InUseByYou" })
    expect(site.server.listDevices()[0]!.boundTo).toEqual({ clientId: "Ann Lee (ann)", hostname: "ANN-PC" })
    await run(Effect.flatMap(client, (c) => c.stopUsing("labhub.112")))
    expect(findVhStateDevice(await run(Effect.flatMap(client, (c) => c.state())), "labhub.112")?.bound).toBe(false)
  })

  it("reads DEVICE INFO and SERVER INFO", async () => {
    const info = await run(Effect.flatMap(client, (c) => c.deviceInfo("labhub.113")))
    expect(info).toMatchObject({ address: "labhub.113", vendorId: "064f", productId: "2af9", serial: "2-1234567", inUseBy: { _tag: "NoOne" } })
    const server = await run(Effect.flatMap(client, (c) => c.serverInfo("Lab Hub")))
    expect(server).toMatchObject({ name: "Lab Hub", address: "labhub", port: site.server.port, maxDevices: 65535, state: "Logged in" })
  })

  it("adds, lists and removes manual hubs", async () => {
    await run(Effect.flatMap(client, (c) => c.addHub("127.0.0.1:1")))
    expect(await run(Effect.flatMap(client, (c) => c.listHubs()))).toEqual([`127.0.0.1:${site.server.port}`, "127.0.0.1:1"])
    await run(Effect.flatMap(client, (c) => c.removeHub("127.0.0.1:1")))
    expect(await run(Effect.flatMap(client, (c) => c.listHubs()))).toEqual([`127.0.0.1:${site.server.port}`])
  })

  it("rejects injection through an address or nickname before anything reaches the pipe", async () => {
    const before = site.daemon.commandLog.length
    expect((await failure(Effect.flatMap(client, (c) => c.use("labhub.112,STOP USING ALL"))))._tag).toBe("VhInvalidArgument")
    expect((await failure(Effect.flatMap(client, (c) => c.use("labhub.112\nSTOP USING ALL"))))._tag).toBe("VhInvalidArgument")
    expect((await failure(Effect.flatMap(client, (c) => c.renameDevice("labhub.112", "x,STOP USING ALL"))))._tag).toBe("VhInvalidArgument")
    expect((await failure(Effect.flatMap(client, (c) => c.addHub("evil,MANUAL HUB REMOVE ALL"))))._tag).toBe("VhInvalidArgument")
    expect(site.daemon.commandLog.length).toBe(before)
  })

  it("reports a FAILED answer as a command failure", async () => {
    expect((await failure(Effect.flatMap(client, (c) => c.use("labhub.999"))))._tag).toBe("VhCommandFailed")
    expect((await failure(Effect.flatMap(client, (c) => c.deviceInfo("nohost.1"))))._tag).toBe("VhCommandFailed")
  })

  it("loses a device that is unplugged while bound", async () => {
    await run(Effect.flatMap(client, (c) => c.use("labhub.112")))
    await site.server.unplug("1-1.2")
    const state = await run(
      Effect.flatMap(client, (c) => c.state()).pipe(
        Effect.filterOrFail((s) => findVhStateDevice(s, "labhub.112") === undefined),
        Effect.retry(Schedule.spaced("50 millis")),
        Effect.timeout("5 seconds")
      )
    )
    expect(findVhStateDevice(state, "labhub.112")).toBeUndefined()
    expect((await run(Effect.flatMap(client, (c) => c.list()))).hubs[0]!.devices.map((d) => d.address)).toEqual(["labhub.113", "labhub.21"])
  })

  it("re-claims an auto-use device when its server goes away and comes back", async () => {
    await run(Effect.flatMap(client, (c) => c.autoUseDevice("labhub.113")))
    await site.until(() => site.server.listDevices().find((d) => d.address === 113)?.boundTo !== null)
    await site.server.goAway()
    const gone = await run(Effect.flatMap(client, (c) => c.list()))
    expect(gone.hubs).toEqual([])
    await site.server.comeBack()
    await site.until(() => site.server.listDevices().find((d) => d.address === 113)?.boundTo?.clientId === "Ann Lee (ann)")
    const back = await run(Effect.flatMap(client, (c) => c.list()))
    expect(back.hubs[0]!.devices[1]).toMatchObject({ address: "labhub.113", autoUse: true, status: { _tag: "InUseByYou" } })
  })

  it("times out on a slow reply, then works again", async () => {
    site.daemon.faults.replyDelayMillis = timeoutMillis + 1_000
    expect((await failure(Effect.flatMap(client, (c) => c.list())))._tag).toBe("VhTimeout")
    site.daemon.faults.replyDelayMillis = 0
    // The late reply is delivered to nobody (or dropped) before the next command, so the result is exact.
    await site.daemon.whenIdle()
    const list = await run(Effect.flatMap(client, (c) => c.list()))
    expect(list.hubs).toHaveLength(1)
  }, 40_000)

  it("reports a garbled reply as a parse error", async () => {
    site.daemon.faults.garble = "noise"
    expect((await failure(Effect.flatMap(client, (c) => c.list())))._tag).toBe("VhParseError")
    site.daemon.faults.garble = "truncate"
    expect((await failure(Effect.flatMap(client, (c) => c.list())))._tag).toBe("VhParseError")
    expect((await failure(Effect.flatMap(client, (c) => c.state())))._tag).toBe("VhParseError")
  })

  it("reports a client daemon that is not running", async () => {
    await site.daemon.stopListening()
    expect((await failure(Effect.flatMap(client, (c) => c.list())))._tag).toBe("VhClientNotRunning")
    await site.daemon.resumeListening()
    expect((await run(Effect.flatMap(client, (c) => c.list()))).hubs).toHaveLength(1)
  })
})
