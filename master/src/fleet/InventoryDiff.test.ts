import { describe, expect, it } from "@effect/vitest"
import { Device, type DeviceId, type ReportedDevice, type SlaveId, type SlaveReport } from "@ncod/core"
import { DateTime } from "effect"
import { planInventory, reportHash, stableKeyOf } from "./InventoryDiff.js"

const slaveId = "11111111-1111-4111-8111-111111111111" as SlaveId
const reported = (overrides: Partial<ReportedDevice> = {}): ReportedDevice => ({
  vhAddress: "lab-sh-01.11",
  vendorId: "0403",
  productId: "6001",
  manufacturer: "FTDI",
  product: "FT232R USB UART",
  serial: "A10K000001",
  busPath: "1-1.1",
  speed: "12",
  deviceClass: "00",
  nickname: null,
  boundClient: null,
  ...overrides
})
const report = (devices: ReadonlyArray<ReportedDevice>): SlaveReport => ({
  seq: 1,
  agentVersion: "1.0.0",
  accessMode: "enforced",
  degraded: false,
  server: { name: "lab-sh-01", version: "4.6.1", licensed: true, maxDevices: null },
  devices
})
const stored = (device: ReportedDevice, overrides: Partial<Device> = {}) =>
  new Device({
    id: `22222222-2222-4222-8222-${String(Math.floor(Math.random() * 1e12)).padStart(12, "0")}` as DeviceId,
    slaveId,
    stableKey: stableKeyOf(device),
    vhAddress: device.vhAddress,
    vendorId: device.vendorId,
    productId: device.productId,
    manufacturer: device.manufacturer,
    product: device.product,
    serial: device.serial,
    busPath: device.busPath,
    speed: device.speed,
    deviceClass: device.deviceClass,
    nickname: null,
    tags: [],
    state: device.boundClient ? "in_use" : "available",
    boundClient: device.boundClient,
    firstSeenAt: DateTime.unsafeNow(),
    lastSeenAt: DateTime.unsafeNow(),
    ...overrides
  })

describe("planning an inventory write", () => {
  it("identifies devices with a serial anywhere, and devices without one by their port", () => {
    expect(stableKeyOf(reported({ busPath: "1-1.1" }))).toBe(stableKeyOf(reported({ busPath: "2-3" })))
    const noSerial = reported({ serial: null })
    expect(stableKeyOf({ ...noSerial, busPath: "1-1.1" })).not.toBe(stableKeyOf({ ...noSerial, busPath: "1-1.2" }))
  })

  it("writes nothing for a report equal to what is stored", () => {
    const device = reported()
    const plan = planInventory(slaveId, report([device]), [stored(device)])
    expect(plan).toEqual({ inserts: [], updates: [], removals: [] })
  })

  it("adds new devices, removes missing ones and brings removed ones back", () => {
    const kept = reported()
    const gone = reported({ serial: "GONE", vhAddress: "lab-sh-01.12" })
    const back = reported({ serial: "BACK", vhAddress: "lab-sh-01.13" })
    const fresh = reported({ serial: "NEW", vhAddress: "lab-sh-01.14" })
    const plan = planInventory(slaveId, report([kept, back, fresh]), [stored(kept), stored(gone), stored(back, { state: "removed" })])
    expect(plan.inserts.map((row) => row.serial)).toEqual(["NEW"])
    expect(plan.removals).toHaveLength(1)
    expect(plan.removals[0]!.events.map((e) => e.kind)).toEqual(["removed"])
    expect(plan.updates).toHaveLength(1)
    expect(plan.updates[0]!.events.map((e) => e.kind)).toEqual(["returned"])
    expect(plan.updates[0]!.changes).toEqual({ state: "available" })
  })

  it("records binding and unbinding with the client, and field changes by name", () => {
    const device = reported()
    const bound = planInventory(slaveId, report([reported({ boundClient: "Wang Fang (wangf)", vhAddress: "lab-sh-01.99" })]), [stored(device)])
    expect(bound.updates[0]!.changes).toEqual({ vhAddress: "lab-sh-01.99", boundClient: "Wang Fang (wangf)", state: "in_use" })
    expect(bound.updates[0]!.events).toEqual([
      { kind: "changed", details: { fields: ["vhAddress"] } },
      { kind: "bound", details: { client: "Wang Fang (wangf)" } }
    ])
  })

  it("hashes reports by content, not by the order devices are listed in", () => {
    const a = reported()
    const b = reported({ serial: "B", vhAddress: "lab-sh-01.12" })
    expect(reportHash(report([a, b]))).toBe(reportHash({ ...report([b, a]), seq: 99 }))
    expect(reportHash(report([a, b]))).not.toBe(reportHash(report([a])))
  })
})
