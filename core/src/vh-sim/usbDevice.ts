import * as fs from "node:fs/promises"
import * as path from "node:path"

/** A USB device plugged into a simulated server. */
export interface SimUsbDeviceSpec {
  /** Four hex digits, e.g. `0403`. */
  readonly vendorId: string
  readonly productId: string
  /** USB product string; empty means none (LIST then shows `0x<pid>`). */
  readonly product?: string
  readonly manufacturer?: string
  readonly serial?: string
  /** Linux sysfs name, e.g. `1-1.2` (bus 1, port 1, port 2). */
  readonly busPath: string
  /** Mb/s as sysfs writes it: `1.5`, `12`, `480`, `5000`. */
  readonly speed?: string
  /** bDeviceClass, two hex digits; `00` means per-interface. */
  readonly deviceClass?: string
  /** Overrides the derived VirtualHere address. */
  readonly address?: number
}

/**
 * Linux servers number devices by their port path: every public listing fits `<bus><ports…>` with
 * the separators removed (`1-1.4` → 114, `1-1.3.4` → 1134, `2-2` → 22). Inferred from the corpus,
 * not documented; the simulator follows it so addresses look like the real ones.
 */
export const addressFromBusPath = (busPath: string): number => {
  const digits = busPath.replace(/[^0-9]/g, "")
  return digits === "" ? 1 : Number(digits.slice(0, 15))
}

const busAndDevnum = (busPath: string, address: number) => ({
  busnum: busPath.split("-")[0] ?? "1",
  devnum: String((address % 127) + 1)
})

/** Writes the device as Linux lays it out under /sys/bus/usb/devices/<busPath>/. */
export const writeSysfsDevice = async (root: string, spec: SimUsbDeviceSpec, address: number): Promise<string> => {
  const dir = path.join(root, spec.busPath)
  await fs.mkdir(dir, { recursive: true })
  const { busnum, devnum } = busAndDevnum(spec.busPath, address)
  const files: Record<string, string | undefined> = {
    idVendor: spec.vendorId.toLowerCase(),
    idProduct: spec.productId.toLowerCase(),
    manufacturer: spec.manufacturer || undefined,
    product: spec.product || undefined,
    serial: spec.serial || undefined,
    speed: spec.speed ?? "480",
    busnum,
    devnum,
    devpath: spec.busPath.split("-").slice(1).join("-") || "0",
    bDeviceClass: (spec.deviceClass ?? "00").toLowerCase(),
    bDeviceSubClass: "00",
    bDeviceProtocol: "00",
    bNumConfigurations: "1",
    bConfigurationValue: "1",
    bcdDevice: "0100",
    version: " 2.00",
    maxchild: "0",
    removable: "removable"
  }
  await Promise.all(
    Object.entries(files)
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([name, value]) => fs.writeFile(path.join(dir, name), `${value}\n`))
  )
  return dir
}

export const removeSysfsDevice = (root: string, busPath: string) =>
  fs.rm(path.join(root, busPath), { recursive: true, force: true })
