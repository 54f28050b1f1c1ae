import { describe, expect, it } from "@effect/vitest"
import type { VhStateConnection, VhStateDevice, VhStateServer } from "@ncod/core"
import { Effect } from "effect"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { buildDevices, carryOverEnrichment, findLocalServer, serverFacts } from "./Inventory.js"
import { readSysfs, type SysfsScan } from "./Sysfs.js"

const lab = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "lab")
const noSysfs: SysfsScan = { devices: [], hubs: [], skipped: [] }

const connection = (overrides: Partial<VhStateConnection> = {}): VhStateConnection => ({
  connectionId: 1,
  serverMajor: 4,
  serverMinor: 8,
  serverRevision: 2,
  serverName: "Lab Hub",
  hostname: "labhub",
  serverSerial: "x",
  licenseMaxDevices: 65535,
  state: 3,
  host: "127.0.0.1",
  port: 7575,
  ip: "127.0.0.1",
  extra: {},
  ...overrides
})

const device = (address: number, idVendor: number, idProduct: number, overrides: Partial<VhStateDevice> = {}): VhStateDevice => ({
  vendor: "",
  product: "",
  idVendor,
  idProduct,
  address,
  connectionId: 1,
  state: 1,
  deviceSerial: "",
  nickname: "",
  boundClientHostname: "",
  boundConnectionIp: "",
  clientId: "",
  autoUse: "not-set",
  extra: {},
  ...overrides
})

const server = (devices: ReadonlyArray<VhStateDevice>, overrides: Partial<VhStateConnection> = {}): VhStateServer => ({
  connection: connection(overrides),
  devices
})

describe("building the device report from the VirtualHere client and sysfs", () => {
  it.effect("adds bus path, speed, class and strings from sysfs to what the client lists", () =>
    Effect.gen(function* () {
      const sysfs = yield* readSysfs(lab)
      const built = buildDevices(
        server([
          device(112, 0x0403, 0x6001, { vendor: "FTDI", product: "FT232R USB UART", deviceSerial: "A50285BI" }),
          device(113, 0x0483, 0x374b, { product: "STM32 STLink", deviceSerial: "0668FF3F3339" }),
          device(114, 0x067b, 0x2303, { product: "USB-Serial Controller" }),
          device(21, 0x1a2b, 0x3c4d, { deviceSerial: "Ñ-001" })
        ]),
        sysfs
      )
      expect(built.issues).toEqual([])
      expect(built.devices.map((d) => [d.vhAddress, d.busPath, d.serial, d.speed, d.deviceClass])).toEqual([
        ["labhub.112", "1-1.2", "A50285BI", "12", "00"],
        ["labhub.113", "1-1.3", "0668FF3F3339", "12", "ef"],
        ["labhub.114", "1-1.4", null, "12", "00"],
        ["labhub.21", "2-1", "Ñ-001", "5000", "00"]
      ])
      expect(built.devices[2]!.manufacturer).toBe("Prolific Technology Inc.")
      expect(built.devices[3]).toMatchObject({ manufacturer: "Ünïcødé GmbH", product: "温度传感器 🌡" })
    })
  )

  it.effect("tells identical devices without serial numbers apart by the port their address encodes", () =>
    Effect.gen(function* () {
      const sysfs = yield* readSysfs(lab)
      const twin = { ...sysfs.devices.find((d) => d.busPath === "1-1.4")!, busPath: "1-1.5", devnum: 6 }
      const built = buildDevices(server([device(115, 0x067b, 0x2303), device(114, 0x067b, 0x2303)]), { ...sysfs, devices: [...sysfs.devices, twin] })
      expect(built.devices.map((d) => [d.vhAddress, d.busPath])).toEqual([
        ["labhub.114", "1-1.4"],
        ["labhub.115", "1-1.5"]
      ])
    })
  )

  it("reports a device sysfs does not know with the client's strings and no bus path", () => {
    const built = buildDevices(server([device(7, 0x0a2b, 0x0a2b, { vendor: "Acme", product: "Widget", nickname: "bench scope" })]), noSysfs)
    expect(built.devices).toEqual([
      {
        vhAddress: "labhub.7",
        vendorId: "0a2b",
        productId: "0a2b",
        manufacturer: "Acme",
        product: "Widget",
        serial: null,
        busPath: null,
        speed: null,
        deviceClass: null,
        nickname: "bench scope",
        boundClient: null
      }
    ])
  })

  it("names the client that holds a bound device", () => {
    const built = buildDevices(server([device(7, 1, 2, { state: 3, clientId: "Ann Lee (ann)", boundClientHostname: "ANN-PC" })]), noSysfs)
    expect(built.devices[0]!.boundClient).toBe("Ann Lee (ann)")
  })

  it("cleans odd names (empty, control characters, unicode, very long) and leaves out impossible ids", () => {
    const built = buildDevices(
      server([
        device(1, 0x1234, 0x0001, { product: "", vendor: "   " }),
        device(2, 0x1234, 0x0002, { product: "bad\u0007name\u001b[31m", nickname: "\u2028" }),
        device(3, 0x1234, 0x0003, { product: "🙂".repeat(400) }),
        device(4, 0x12345, 0x0004),
        device(5, -1, 0x0005)
      ]),
      noSysfs
    )
    expect(built.devices.map((d) => d.vhAddress)).toEqual(["labhub.1", "labhub.2", "labhub.3"])
    expect(built.devices[0]).toMatchObject({ product: null, manufacturer: null })
    expect(built.devices[1]).toMatchObject({ product: "bad name [31m", nickname: null })
    expect(built.devices[2]!.product).toBe("🙂".repeat(128))
    expect(built.issues).toEqual(["labhub.4: vendor/product id out of range", "labhub.5: vendor/product id out of range"])
  })

  it("reports clones that share one serial number by port, so the master keeps them apart", () => {
    const built = buildDevices(server([device(1, 0x1a86, 0x7523, { deviceSerial: "0001" }), device(2, 0x1a86, 0x7523, { deviceSerial: "0001" })]), noSysfs)
    expect(built.devices.map((d) => d.serial)).toEqual([null, null])
    expect(built.issues).toHaveLength(2)
  })

  it("leaves out a device the sysfs tree says is a hub", () => {
    const built = buildDevices(server([device(11, 0x05e3, 0x0610)]), { devices: [], hubs: [{ busPath: "1-1", vendorId: "05e3", productId: "0610" }], skipped: [] })
    expect(built.devices).toEqual([])
  })

  it("finds the local server among several by its port on a loopback address", () => {
    const state = {
      servers: [server([], { host: "10.0.0.9", ip: "10.0.0.9", hostname: "other" }), server([], { host: "localhost", port: 7575, hostname: "mine" })]
    }
    expect(findLocalServer(state, { host: "127.0.0.1", port: 7575 })?.connection.hostname).toBe("mine")
    expect(findLocalServer({ servers: [] }, { host: "127.0.0.1", port: 7575 })).toBeUndefined()
  })

  it("reads an unlicensed server (MAX DEVICES 1) as unlicensed and an unknown limit as unlicensed too", () => {
    expect(serverFacts(server([], { licenseMaxDevices: 1 }), undefined)).toMatchObject({ licensed: false, maxDevices: 1, name: "Lab Hub", version: "4.8.2" })
    expect(serverFacts(server([], { licenseMaxDevices: 0 }), undefined)).toMatchObject({ licensed: false, maxDevices: null })
    expect(serverFacts(server([]), undefined)).toMatchObject({ licensed: true, maxDevices: 65535 })
  })

  it.effect("keeps a device's port while VirtualHere still lists it after its sysfs entry vanished (no phantom device)", () =>
    Effect.gen(function* () {
      const sysfs = yield* readSysfs(lab)
      const listed = server([device(114, 0x067b, 0x2303)])
      const before = buildDevices(listed, sysfs).devices
      const during = carryOverEnrichment(before, buildDevices(listed, noSysfs).devices)
      expect(during).toEqual(before)
      // another device at that address is not given the old one's port
      expect(carryOverEnrichment(before, buildDevices(server([device(114, 0x0403, 0x6001)]), noSysfs).devices)[0]!.busPath).toBeNull()
    })
  )
})
