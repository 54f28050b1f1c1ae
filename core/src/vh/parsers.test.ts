import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import { parseActionReply, parseManualHubList } from "./actionReply.js"
import { parseClientState, printClientState } from "./clientState.js"
import { parseDeviceInfoReply, printDeviceInfoReply } from "./deviceInfoReply.js"
import { parseListReply, printListReply } from "./listReply.js"
import { parseServerInfoReply, printServerInfoReply } from "./serverInfoReply.js"
import { clientStateArb, deviceInfoArb, hostileTextArb, listReplyArb, serverInfoArb } from "./testing/arbitraries.js"
import { parseCommandLine } from "./parseCommand.js"

const RUNS = 10_000

const parsers: ReadonlyArray<readonly [string, (text: string) => unknown]> = [
  ["LIST", parseListReply],
  ["GET CLIENT STATE", parseClientState],
  ["DEVICE INFO", parseDeviceInfoReply],
  ["SERVER INFO", parseServerInfoReply],
  ["OK/FAILED/ERROR", parseActionReply],
  ["MANUAL HUB LIST", parseManualHubList],
  ["a command line", parseCommandLine]
]

describe("parsers are total", () => {
  for (const [name, parse] of parsers) {
    // the time bound catches hangs (catastrophic backtracking), not slowness: it must hold on a
    // busy CI machine too, so it is generous; speed is measured elsewhere
    it(`${name}: ${RUNS} random inputs never throw and none hangs`, () => {
      fc.assert(
        fc.property(hostileTextArb, (text) => {
          const started = performance.now()
          const result = parse(text)
          expect(performance.now() - started).toBeLessThan(1_000)
          if (Either.isEither(result)) expect(Either.isLeft(result) || Either.isRight(result)).toBe(true)
        }),
        { numRuns: RUNS }
      )
    })
  }

  // a quadratic reader would take minutes on a megabyte; the bound leaves room for a busy machine
  it("a megabyte of pathological text is read in linear time", () => {
    const nested = "   --> " + "(a.1) ".repeat(100_000)
    const xml = "<state>" + '<server><connection a="' + "&amp;".repeat(100_000) + '"/>'
    for (const text of [nested, xml]) {
      const started = performance.now()
      parseListReply(text)
      parseClientState(text)
      expect(performance.now() - started).toBeLessThan(15_000)
    }
  })
})

describe("printing then parsing gives the same model", () => {
  it("LIST", () => {
    fc.assert(
      fc.property(listReplyArb, (model) => {
        expect(Either.getOrThrow(parseListReply(printListReply(model)))).toEqual(model)
      }),
      { numRuns: 2_000 }
    )
  })
  it("GET CLIENT STATE", () => {
    fc.assert(
      fc.property(clientStateArb, (model) => {
        expect(Either.getOrThrow(parseClientState(printClientState(model)))).toEqual(model)
      }),
      { numRuns: 2_000 }
    )
  })
  it("DEVICE INFO", () => {
    fc.assert(
      fc.property(deviceInfoArb, (model) => {
        expect(Either.getOrThrow(parseDeviceInfoReply(printDeviceInfoReply(model)))).toEqual(model)
      }),
      { numRuns: 2_000 }
    )
  })
  it("SERVER INFO", () => {
    fc.assert(
      fc.property(serverInfoArb, (model) => {
        expect(Either.getOrThrow(parseServerInfoReply(printServerInfoReply(model)))).toEqual(model)
      }),
      { numRuns: 2_000 }
    )
  })
})

describe("layout details", () => {
  it("anchors on the last (<host>.<n>) group when a name has parentheses and two spaces", () => {
    const text =
      "Hub (my.host.lan:7575)\n   --> Probe (v2) (rev.3)  (my.host.lan.4) (In-use by: Ann Lee (ann) at 10.0.0.9)\nAuto-Find currently off\nVirtualHere Client is running as a service\n"
    const list = Either.getOrThrow(parseListReply(text))
    expect(list.hubs[0]).toMatchObject({ host: "my.host.lan", port: 7575 })
    expect(list.hubs[0]!.devices[0]).toEqual({
      name: "Probe (v2) (rev.3) ",
      address: "my.host.lan.4",
      autoUse: false,
      status: { _tag: "InUseByOther", clientId: "Ann Lee (ann)", ip: "10.0.0.9" }
    })
  })
  it("reads the auto-use star and the old 'In use' spelling", () => {
    const text = "VirtualHere IPC, below are the available devices:\nH (h:1)\n  *--> D (h.2) (In use by you)\nVirtualHere not running as a service\n"
    const device = Either.getOrThrow(parseListReply(text)).hubs[0]!.devices[0]!
    expect(device.autoUse).toBe(true)
    expect(device.status).toEqual({ _tag: "InUseByYou" })
  })
  it("refuses a device line that comes before any hub, with a typed error", () => {
    const result = parseListReply("VirtualHere Client IPC, below are the available devices:\n   --> D (h.2)\n")
    expect(Either.isLeft(result) && result.left._tag === "VhParseError" && result.left.line).toBe(2)
  })
  it("refuses text that is no LIST at all", () => {
    expect(Either.isLeft(parseListReply("FAILED"))).toBe(true)
  })
  it("reads only the last reply when a stale one arrives glued before it", () => {
    const stale = "VirtualHere Client IPC, below are the available devices:\n\nOld (o:1)\n   --> X (o.1)\n\nVirtualHere Client is running as a service\n"
    const fresh = "VirtualHere Client IPC, below are the available devices:\n\nNew (n:2)\n\nVirtualHere Client is running as a service\n"
    expect(Either.getOrThrow(parseListReply(`OK\n${stale}${fresh}`)).hubs.map((h) => h.name)).toEqual(["New"])
    const state = '<?xml version="1.0"?><state><server><connection hostname="old"/></server></state>'
    const freshState = '<?xml version="1.0"?><state><server><connection hostname="new"/></server></state>'
    expect(Either.getOrThrow(parseClientState(state + freshState)).servers[0]!.connection.hostname).toBe("new")
  })
  it("refuses a LIST cut short before its final status line", () => {
    const text = "VirtualHere Client IPC, below are the available devices:\n\nH (h:1)\n   --> D (h.2)\n\nAuto-Find currently on\n"
    expect(Either.isLeft(parseListReply(text))).toBe(true)
  })
  it("reads FAILED with and without a reason, and ERROR", () => {
    expect(Either.getOrThrow(parseActionReply("FAILED: API Timeout\r\n"))).toEqual({ _tag: "Failed", reason: "API Timeout" })
    expect(Either.getOrThrow(parseActionReply("FAILED"))).toEqual({ _tag: "Failed", reason: null })
    expect(Either.getOrThrow(parseActionReply("ERROR:Unknown command"))).toEqual({ _tag: "Error", message: "Unknown command" })
  })
})
