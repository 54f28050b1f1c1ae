import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { isClientNotRunningText, parseActionReply } from "./actionReply.js"
import { parseClientState, printClientState } from "./clientState.js"
import { parseDeviceInfoReply, printDeviceInfoReply } from "./deviceInfoReply.js"
import { reconstructedClientState, vhCorpus } from "./fixtures/corpus.js"
import { parseListReply, printListReply } from "./listReply.js"
import { parseServerInfoReply } from "./serverInfoReply.js"
import { findVhStateDevice } from "./stateQueries.js"

const entry = (id: string) => {
  const found = vhCorpus.find((e) => e.id === id)
  if (!found) throw new Error(`no corpus entry ${id}`)
  return found.text
}
const right = <A, E>(either: Either.Either<A, E>): A => {
  if (Either.isLeft(either)) throw new Error(`expected a parse, got ${JSON.stringify(either.left)}`)
  return either.right
}

describe("the corpus of real VirtualHere outputs", () => {
  it("holds at least ten real outputs, each with its source", () => {
    expect(vhCorpus.length).toBeGreaterThanOrEqual(10)
    for (const e of vhCorpus) expect(e.source.length).toBeGreaterThan(10)
  })

  it("parses the vendor's LIST with a device in use by a client that has no full name", () => {
    const list = right(parseListReply(entry("vendor-docker-list")))
    expect(list.hubs).toHaveLength(1)
    expect(list.hubs[0]).toMatchObject({ name: "Desktop Hub", host: "SERVER", port: 7575 })
    expect(list.hubs[0]!.devices.map((d) => d.address)).toEqual(["SERVER.82", "SERVER.73", "SERVER.111", "SERVER.19"])
    expect(list.hubs[0]!.devices[1]).toEqual({
      name: "Token JC",
      address: "SERVER.73",
      autoUse: false,
      status: { _tag: "InUseByOther", clientId: "(michael)", ip: "192.168.0.21" }
    })
    expect(list).toMatchObject({ autoFind: true, autoUseAll: false, reverseLookup: false, reverseSslLookup: false, runningAsService: false })
  })

  it.each(["vendor-docker-list", "tcjj3-docker-list", "cgnd-list-free", "cgnd-list-in-use"])(
    "prints %s back byte for byte",
    (id) => {
      expect(printListReply(right(parseListReply(entry(id))))).toBe(entry(id))
    }
  )

  it("reads a device in use by this client", () => {
    const list = right(parseListReply(entry("cgnd-list-in-use")))
    expect(list.hubs[0]!.devices[0]).toEqual({
      name: "TTL232R-3V3",
      address: "BeagleBone.11",
      autoUse: false,
      status: { _tag: "InUseByYou" }
    })
    expect(list.runningAsService).toBe(true)
  })

  it("tolerates the older client layout: other header, empty hubs, no SSL line", () => {
    const list = right(parseListReply(entry("virtualherejs-list-old")))
    expect(list.hubs.map((h) => [h.name, h.host, h.port, h.devices.length])).toEqual([
      ["Raspberry Hub", "raspberrypi", 7575, 1],
      ["QNAP Hub", "QNAP", 7575, 2],
      ["Synology Hub", "synology", 17570, 5],
      ["ASUSTOR Hub", "ASUS", 7575, 0],
      ["ReadyNAS Hub", "readynas", 7575, 2]
    ])
    expect(list.hubs.flatMap((h) => h.devices)).toHaveLength(10)
    expect(list.reverseSslLookup).toBeNull()
    expect(list.runningAsService).toBe(false)
    expect(list.hubs[2]!.devices[1]!.name).toBe("WIBU-BOX/U")
  })

  it("strips a Windows prompt glued to the first line and reads CRLF", () => {
    const list = right(parseListReply(entry("windows-console-list")))
    expect(list.hubs[0]).toMatchObject({ name: "Keyboard VH", host: "5e55fefe2c80", port: 7575 })
    expect(list.hubs[0]!.devices.map((d) => d.name)).toEqual([
      "SteelSeries Arctis 7 Bootloader",
      "USB Receiver",
      "CRCA102*AF1",
      "Gaming Keyboard G910",
      "0x0a2b"
    ])
    expect(list.hubs[0]!.devices[2]!.autoUse).toBe(false)
    expect(list.runningAsService).toBe(false)
  })

  it("parses DEVICE INFO with and without a nickname", () => {
    expect(right(parseDeviceInfoReply(entry("virtualherejs-device-info")))).toEqual({
      address: "nuc.14",
      vendor: "Nordic Semiconductor",
      vendorId: "1915",
      product: "nRF52 Connectivity",
      productId: "c00a",
      serial: "FA2BC41052F6",
      nickname: null,
      inUseBy: { _tag: "NoOne" },
      extra: {}
    })
    expect(right(parseDeviceInfoReply(entry("virtualhere-go-device-info")))).toMatchObject({
      address: "TryanksPC.14",
      vendorId: "18d1",
      productId: "4ee7",
      serial: "652e1e0d"
    })
    const withNickname = right(parseDeviceInfoReply(entry("quartermaster-device-info-nickname")))
    expect(withNickname).toMatchObject({ address: "spf3-topaz-1.17", vendorId: "05c6", nickname: "KonaFrames01" })
    expect(printDeviceInfoReply(withNickname)).toBe(entry("quartermaster-device-info-nickname"))
  })

  it("parses SERVER INFO of an unlicensed server", () => {
    expect(right(parseServerInfoReply(entry("virtualhere-go-server-info")))).toEqual({
      name: "Windows Hub",
      version: "4.6.4",
      state: "Logged in",
      address: "192.168.31.145",
      resolvedAddress: "192.168.31.145",
      port: 7575,
      connectedForSeconds: 9265,
      maxDevices: 1,
      connectionId: 1,
      interface: "",
      serialNumber: "07370b72-f03f-4f6e-b930-33fd5d8930f5",
      easyFind: "not enabled",
      extra: {}
    })
  })

  it("reads OK and recognises the three not-running texts", () => {
    expect(right(parseActionReply(entry("vendor-docker-manual-hub-add")))).toEqual({ _tag: "Ok" })
    for (const e of vhCorpus.filter((e) => e.kind === "not-running")) expect(isClientNotRunningText(e.text)).toBe(true)
  })

  it("reads the reconstructed client state despite \\x01 bytes, CRLF and untyped attributes", () => {
    const state = right(parseClientState(reconstructedClientState))
    expect(state.servers).toHaveLength(1)
    expect(state.servers[0]!.connection).toMatchObject({ hostname: "TryanksPC", licenseMaxDevices: 1, state: 3, port: 7575 })
    expect(state.servers[0]!.connection.extra["connectedTime"]).toBe("2024-01-01T00:00:00Z")
    const device = findVhStateDevice(state, "tryankspc.14")
    expect(device?.bound).toBe(true)
    expect(device?.device).toMatchObject({ idVendor: 0x18d1, idProduct: 0x4ee7, clientId: "John Smith (jsmith)", autoUse: "not-set" })
    expect(right(parseClientState(printClientState(state)))).toEqual(state)
  })
})
