import { Effect } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { busPathPattern, cleanText, usbIdFromHex } from "./text.js"

/** A USB device as Linux describes it under /sys/bus/usb/devices/<busPath>/. */
export interface SysfsUsbDevice {
  /** The port path, e.g. `1-1.2` (bus 1, root port 1, hub port 2). */
  readonly busPath: string
  readonly vendorId: string
  readonly productId: string
  readonly manufacturer: string | null
  readonly product: string | null
  readonly serial: string | null
  /** Mbit/s as sysfs writes it: `1.5`, `12`, `480`, `5000`. */
  readonly speed: string | null
  /** bDeviceClass, two hex digits; `00`/`ef` mean "see the interfaces" (composite devices). */
  readonly deviceClass: string | null
  /** bInterfaceClass of each interface (`1-1.2:1.0`, `1-1.2:1.1`, …), in interface order. */
  readonly interfaceClasses: ReadonlyArray<string>
  readonly busnum: number | null
  readonly devnum: number | null
  readonly isHub: boolean
}

export interface SysfsScan {
  /** Shareable devices: no root hubs, no hubs. */
  readonly devices: ReadonlyArray<SysfsUsbDevice>
  /** External hubs (root hubs `usbN` are not listed at all). */
  readonly hubs: ReadonlyArray<Pick<SysfsUsbDevice, "busPath" | "vendorId" | "productId">>
  /** Entries that could not be read as a device, with why (logged by the scanner when they change). */
  readonly skipped: ReadonlyArray<{ readonly entry: string; readonly reason: string }>
}

const rootHubPattern = /^usb\d{1,3}$/
const interfacePattern = /^(\d{1,3}-\d{1,3}(?:\.\d{1,3}){0,6}|\d{1,3}-0):(\d{1,3})\.(\d{1,3})$/
const MAX_ENTRIES = 4096
const MAX_ATTRIBUTE_BYTES = 4096

/** One sysfs attribute, bounded, or undefined when absent or unreadable (never throws). */
const readAttribute = async (dir: string, name: string): Promise<Uint8Array | undefined> => {
  let handle: fs.FileHandle | undefined
  try {
    handle = await fs.open(path.join(dir, name), "r")
    const buffer = Buffer.alloc(MAX_ATTRIBUTE_BYTES)
    const { bytesRead } = await handle.read(buffer, 0, MAX_ATTRIBUTE_BYTES, 0)
    return buffer.subarray(0, bytesRead)
  } catch {
    return undefined
  } finally {
    await handle?.close().catch(() => undefined)
  }
}

const readWord = async (dir: string, name: string) => cleanText(await readAttribute(dir, name), 64)

const integerOrNull = (text: string | null) => (text !== null && /^\d{1,6}$/.test(text) ? Number(text) : null)
const hexByteOrNull = (text: string | null) => (text !== null && /^[0-9a-fA-F]{2}$/.test(text) ? text.toLowerCase() : null)

type Parsed = { readonly device: SysfsUsbDevice } | { readonly skipped: string }

const readDevice = async (root: string, busPath: string): Promise<Parsed> => {
  const dir = path.join(root, busPath)
  const vendorId = usbIdFromHex(await readWord(dir, "idVendor"))
  const productId = usbIdFromHex(await readWord(dir, "idProduct"))
  if (vendorId === null || productId === null) return { skipped: "idVendor/idProduct missing or not hexadecimal" }
  const speedText = await readWord(dir, "speed")
  const deviceClass = hexByteOrNull(await readWord(dir, "bDeviceClass"))
  const maxchild = integerOrNull(await readWord(dir, "maxchild"))
  return {
    device: {
      busPath,
      vendorId,
      productId,
      manufacturer: cleanText(await readAttribute(dir, "manufacturer")),
      product: cleanText(await readAttribute(dir, "product")),
      serial: cleanText(await readAttribute(dir, "serial")),
      speed: speedText !== null && /^\d{1,6}(\.\d{1,3})?$/.test(speedText) ? speedText : null,
      deviceClass,
      interfaceClasses: [],
      busnum: integerOrNull(await readWord(dir, "busnum")),
      devnum: integerOrNull(await readWord(dir, "devnum")),
      isHub: deviceClass === "09" || (maxchild !== null && maxchild > 0)
    }
  }
}

const compareInterfaces = (a: string, b: string) => {
  const key = (name: string) => (interfacePattern.exec(name) ?? []).slice(2).map(Number)
  const [ac = 0, ai = 0] = key(a)
  const [bc = 0, bi = 0] = key(b)
  return ac - bc || ai - bi
}

/**
 * Reads a sysfs USB tree (`/sys/bus/usb/devices` or a fixture copy of it). Never fails: an
 * unreadable tree is an empty scan with the reason in `skipped`, a malformed entry is skipped.
 * Root hubs (`usbN`) and hubs are not shared devices; interfaces (`1-1.2:1.0`) belong to their
 * device, so a composite device stays one device.
 */
export const readSysfs = (root: string): Effect.Effect<SysfsScan> =>
  Effect.promise(async (): Promise<SysfsScan> => {
    let entries: Array<string>
    try {
      entries = (await fs.readdir(root)).slice(0, MAX_ENTRIES).sort()
    } catch (error) {
      return { devices: [], hubs: [], skipped: [{ entry: root, reason: `cannot list: ${(error as NodeJS.ErrnoException).code ?? "error"}` }] }
    }
    const skipped: Array<{ entry: string; reason: string }> = []
    const devices = new Map<string, SysfsUsbDevice>()
    const interfaces = new Map<string, Array<string>>()
    for (const entry of entries) {
      if (rootHubPattern.test(entry)) continue
      const asInterface = interfacePattern.exec(entry)
      if (asInterface) {
        const owner = asInterface[1]!
        interfaces.set(owner, [...(interfaces.get(owner) ?? []), entry])
        continue
      }
      if (!busPathPattern.test(entry)) {
        skipped.push({ entry: cleanText(entry, 80) ?? "(unnamed)", reason: "not a USB device name" })
        continue
      }
      const parsed = await readDevice(root, entry)
      if ("skipped" in parsed) skipped.push({ entry, reason: parsed.skipped })
      else devices.set(entry, parsed.device)
    }
    for (const [owner, names] of interfaces) {
      const device = devices.get(owner)
      if (!device) continue
      const classes: Array<string> = []
      for (const name of names.sort(compareInterfaces)) {
        const cls = hexByteOrNull(await readWord(path.join(root, name), "bInterfaceClass"))
        if (cls !== null) classes.push(cls)
      }
      // a hub can also announce itself through its interface class only
      devices.set(owner, { ...device, interfaceClasses: classes, isHub: device.isHub || (classes.length > 0 && classes.every((c) => c === "09")) })
    }
    const all = [...devices.values()]
    return {
      devices: all.filter((device) => !device.isHub),
      hubs: all.filter((device) => device.isHub).map(({ busPath, productId, vendorId }) => ({ busPath, vendorId, productId })),
      skipped
    }
  })
