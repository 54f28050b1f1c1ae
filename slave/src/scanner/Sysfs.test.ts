import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { readSysfs } from "./Sysfs.js"

const fixture = (name: string) => path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", name)

describe("reading the sysfs USB tree", () => {
  it.effect("lists shareable devices with their ids, strings, speed and bus path, and leaves out root hubs and hubs", () =>
    Effect.gen(function* () {
      const scan = yield* readSysfs(fixture("lab"))
      expect(scan.devices.map((d) => d.busPath)).toEqual(["1-1.2", "1-1.3", "1-1.4", "2-1"])
      expect(scan.hubs).toEqual([{ busPath: "1-1", vendorId: "05e3", productId: "0610" }])
      expect(scan.skipped).toEqual([])
      expect(scan.devices[0]).toEqual({
        busPath: "1-1.2",
        vendorId: "0403",
        productId: "6001",
        manufacturer: "FTDI",
        product: "FT232R USB UART",
        serial: "A50285BI",
        speed: "12",
        deviceClass: "00",
        interfaceClasses: ["ff"],
        busnum: 1,
        devnum: 3,
        isHub: false
      })
    })
  )

  it.effect("keeps a composite device as one device with the classes of its interfaces", () =>
    Effect.gen(function* () {
      const scan = yield* readSysfs(fixture("lab"))
      const stlink = scan.devices.find((d) => d.productId === "374b")!
      expect(stlink.deviceClass).toBe("ef")
      expect(stlink.interfaceClasses).toEqual(["ff", "08", "02", "0a"])
      expect(scan.devices.filter((d) => d.busPath.startsWith("1-1.3"))).toHaveLength(1)
    })
  )

  it.effect("reads a device without a serial number as serial null", () =>
    Effect.gen(function* () {
      const scan = yield* readSysfs(fixture("lab"))
      expect(scan.devices.find((d) => d.busPath === "1-1.4")).toMatchObject({ vendorId: "067b", productId: "2303", serial: null })
    })
  )

  it.effect("keeps non-ASCII manufacturer, product and serial strings intact", () =>
    Effect.gen(function* () {
      const scan = yield* readSysfs(fixture("lab"))
      expect(scan.devices.find((d) => d.busPath === "2-1")).toMatchObject({
        manufacturer: "Ünïcødé GmbH",
        product: "温度传感器 🌡",
        serial: "Ñ-001",
        speed: "5000",
        busnum: 2
      })
    })
  )

  it.effect("skips malformed entries with a reason and cleans hostile strings instead of failing", () =>
    Effect.gen(function* () {
      const scan = yield* readSysfs(fixture("hostile"))
      expect(scan.skipped).toEqual([
        { entry: "1-2", reason: "idVendor/idProduct missing or not hexadecimal" },
        { entry: "1-3", reason: "idVendor/idProduct missing or not hexadecimal" },
        { entry: "1-6", reason: "idVendor/idProduct missing or not hexadecimal" },
        { entry: "weird-entry", reason: "not a USB device name" }
      ])
      expect(scan.hubs.map((hub) => hub.busPath)).toEqual(["1-7"])
      const byPath = new Map(scan.devices.map((d) => [d.busPath, d]))
      expect([...byPath.keys()]).toEqual(["1-4", "1-5", "3-1.2.3.4.5.6.7"])
      const long = byPath.get("1-4")!
      expect(long.product).toBeNull()
      expect(long.manufacturer).toHaveLength(256)
      expect(long.serial).toBe("AB C")
      const garbled = byPath.get("1-5")!
      expect(garbled.productId).toBe("ef01")
      expect(garbled.product).toBe("\uFFFD\uFFFDBad\uFFFD")
      expect(garbled.speed).toBeNull()
      expect(garbled.deviceClass).toBeNull()
      expect(byPath.get("3-1.2.3.4.5.6.7")!.product).toBe("deep behind hubs")
    })
  )

  it.effect("answers an empty scan with the reason when the tree cannot be listed", () =>
    Effect.gen(function* () {
      const scan = yield* readSysfs(fixture("does-not-exist"))
      expect(scan.devices).toEqual([])
      expect(scan.skipped[0]?.reason).toBe("cannot list: ENOENT")
    })
  )
})
