import { describe, expect, it } from "@effect/vitest"
import type { Device } from "@ncod/core"
import { matchDevices } from "./Devices.js"

const device = (id: string, vhAddress: string, product: string, serial: string | null, nickname: string | null = null) =>
  ({ id, vhAddress, product, serial, nickname, manufacturer: "ACME", vendorId: "0403", productId: "6001" }) as unknown as Device
const fleet = [
  { device: device("6f1c2a4e-0000-4000-8000-000000000001", "labhub.112", "FT232R USB UART", "A50285BI", "uart-bench"), slaveName: "lab-1" },
  { device: device("6f1c2a4e-0000-4000-8000-000000000002", "labhub.113", "J-Link", "000260112233"), slaveName: "lab-1" },
  { device: device("6f1c2a4e-0000-4000-8000-000000000003", "otherhub.21", "J-Link", "000260999999"), slaveName: "lab-2" }
]
const ids = (text: string) => matchDevices(fleet, text).map((c) => c.device.vhAddress)

describe("naming a device on the command line", () => {
  it("takes an id, an address (host case-insensitive), a nickname, a serial or a product", () => {
    expect(ids("6F1C2A4E-0000-4000-8000-000000000002")).toEqual(["labhub.113"])
    expect(ids("LABHUB.112")).toEqual(["labhub.112"])
    expect(ids("uart-bench")).toEqual(["labhub.112"])
    expect(ids("000260999999")).toEqual(["otherhub.21"])
    expect(ids("ft232r usb uart")).toEqual(["labhub.112"])
  })

  it("lists every match when a name is ambiguous, and narrows with slave/name", () => {
    expect(ids("J-Link")).toEqual(["labhub.113", "otherhub.21"])
    expect(ids("lab-2/j-link")).toEqual(["otherhub.21"])
    expect(ids("ft232")).toEqual(["labhub.112"])
    expect(ids("nothing like it")).toEqual([])
  })
})
