import { MAX_REPORTED_DEVICES, ReportedDevice, isVhConnectionLoggedIn, isVhStateDeviceBound, sameVhHost, type VhClientState, type VhServerInfo, type VhStateDevice, type VhStateServer } from "@ncod/core"
import { Either, Schema } from "effect"
import type { SysfsScan, SysfsUsbDevice } from "./Sysfs.js"
import { cleanText, usbIdFromNumber } from "./text.js"

/** What a report says about the local vhusbd. */
export interface ServerFacts {
  readonly name: string
  readonly version: string | null
  readonly licensed: boolean
  readonly maxDevices: number | null
}

export interface LocalHub {
  readonly host: string
  readonly port: number
}

const loopback = new Set(["127.0.0.1", "localhost", "::1", "[::1]"])

/**
 * The local vhusbd among the servers the client knows: the one at the configured port on this
 * machine (loopback or the configured host). A client that knows exactly one server is taken at its
 * word: that is the layout the agent sets up.
 */
export const findLocalServer = (state: VhClientState, hub: LocalHub): VhStateServer | undefined => {
  const local = (host: string) => loopback.has(host.toLowerCase()) || sameVhHost(host, hub.host)
  const atPort = state.servers.filter((server) => server.connection.port === hub.port)
  return (
    atPort.find((server) => local(server.connection.host) || local(server.connection.ip)) ??
    (atPort.length === 1 ? atPort[0] : undefined) ??
    (state.servers.length === 1 ? state.servers[0] : undefined)
  )
}

export const isLocalServerLoggedIn = (server: VhStateServer | undefined) => server !== undefined && isVhConnectionLoggedIn(server.connection)

/** SERVER INFO when the client answered it, else what the connection element says. */
export const serverFacts = (server: VhStateServer, info: VhServerInfo | undefined): ServerFacts => {
  const connection = server.connection
  const maxDevices = info?.maxDevices ?? (connection.licenseMaxDevices > 0 ? connection.licenseMaxDevices : null)
  return {
    name: cleanText(info?.name ?? connection.serverName, 255) ?? cleanText(connection.hostname, 255) ?? "vhusbd",
    version: cleanText(info?.version ?? `${connection.serverMajor}.${connection.serverMinor}.${connection.serverRevision}`, 64),
    // an unlicensed server says MAX DEVICES 1; not knowing is treated as unlicensed (never over-promise)
    licensed: maxDevices !== null && maxDevices !== 1,
    maxDevices
  }
}

/**
 * Linux vhusbd numbers a device by its port path with the separators removed (`1-1.4` → 114):
 * inferred from every public listing, not documented (the simulator follows the same rule).
 */
export const addressOfBusPath = (busPath: string) => Number(busPath.replace(/[^0-9]/g, "").slice(0, 15) || "1")

/**
 * The sysfs entry of a device the VirtualHere client lists: same vendor and product, then the
 * serial, then the port path the address encodes. Ambiguous means no match: a missing bus path is
 * better than a wrong one.
 */
export const matchSysfs = (device: VhStateDevice, vendorId: string, productId: string, candidates: ReadonlyArray<SysfsUsbDevice>) => {
  const sameIds = candidates.filter((entry) => entry.vendorId === vendorId && entry.productId === productId)
  const serial = cleanText(device.deviceSerial)
  const bySerial = serial === null ? [] : sameIds.filter((entry) => entry.serial === serial)
  const pool = bySerial.length > 0 ? bySerial : sameIds
  if (pool.length === 1) return pool[0]
  const byAddress = pool.filter((entry) => addressOfBusPath(entry.busPath) === device.address)
  return byAddress.length === 1 ? byAddress[0] : undefined
}

const decodeDevice = Schema.decodeUnknownEither(ReportedDevice)

export interface BuiltDevices {
  readonly devices: ReadonlyArray<ReportedDevice>
  /** Devices left out or altered, with why: the scanner logs these when they change. */
  readonly issues: ReadonlyArray<string>
}

/** The local server's devices as the master wants them: VirtualHere's view enriched from sysfs. */
export const buildDevices = (server: VhStateServer, sysfs: SysfsScan): BuiltDevices => {
  const issues: Array<string> = []
  const hostname = cleanText(server.connection.hostname, 255)
  if (hostname === null) return { devices: [], issues: ["the VirtualHere server advertises no hostname: no device address"] }
  const devices: Array<ReportedDevice> = []
  for (const device of server.devices) {
    const vendorId = usbIdFromNumber(device.idVendor)
    const productId = usbIdFromNumber(device.idProduct)
    const address = `${hostname}.${device.address}`
    if (vendorId === null || productId === null) {
      issues.push(`${address}: vendor/product id out of range`)
      continue
    }
    if (sysfs.hubs.some((hub) => hub.vendorId === vendorId && hub.productId === productId && addressOfBusPath(hub.busPath) === device.address)) {
      continue // a hub is not a shared device
    }
    const entry = matchSysfs(device, vendorId, productId, sysfs.devices)
    const bound = isVhStateDeviceBound(device)
    const candidate = {
      vhAddress: address,
      vendorId,
      productId,
      manufacturer: entry?.manufacturer ?? cleanText(device.vendor),
      product: entry?.product ?? cleanText(device.product),
      serial: cleanText(device.deviceSerial) ?? entry?.serial ?? null,
      busPath: entry?.busPath ?? null,
      speed: cleanText(entry?.speed ?? null, 32),
      deviceClass: entry?.deviceClass ?? null,
      nickname: cleanText(device.nickname),
      boundClient: bound ? (cleanText(device.clientId, 512) ?? cleanText(device.boundClientHostname, 512) ?? "in use") : null
    }
    const decoded = decodeDevice(candidate)
    if (Either.isLeft(decoded)) {
      issues.push(`${cleanText(address, 80)}: left out (${decoded.left.message.split("\n")[0]})`)
      continue
    }
    devices.push(decoded.right)
  }
  // The master keys a device by vendor/product/serial when there is a serial: clones sharing one
  // serial number would collapse into one row, so they are reported by port instead.
  const counts = new Map<string, number>()
  const serialKey = (d: ReportedDevice) => (d.serial === null ? null : `${d.vendorId}:${d.productId}:${d.serial}`)
  for (const d of devices) {
    const key = serialKey(d)
    if (key !== null) counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  const unique = devices.map((d) => {
    const key = serialKey(d)
    if (key === null || (counts.get(key) ?? 0) < 2) return d
    issues.push(`${d.vhAddress}: serial ${d.serial} is shared with another device, identified by its port`)
    return { ...d, serial: null }
  })
  unique.sort((a, b) => (a.vhAddress < b.vhAddress ? -1 : a.vhAddress > b.vhAddress ? 1 : 0))
  if (unique.length > MAX_REPORTED_DEVICES) issues.push(`${unique.length} devices: only the first ${MAX_REPORTED_DEVICES} are reported`)
  return { devices: unique.slice(0, MAX_REPORTED_DEVICES), issues }
}

/**
 * A device still listed by VirtualHere whose sysfs entry just vanished (unplugged: the kernel is
 * faster than vhusbd) keeps what the last scan learnt from sysfs. Otherwise the master would see
 * its identity change from "port 1-1.4" to "address lab.114" for one report: a phantom device
 * added and removed.
 */
export const carryOverEnrichment = (previous: ReadonlyArray<ReportedDevice>, next: ReadonlyArray<ReportedDevice>): ReadonlyArray<ReportedDevice> => {
  const known = new Map(previous.filter((d) => d.busPath !== null).map((d) => [`${d.vhAddress}|${d.vendorId}|${d.productId}|${d.serial ?? ""}`, d]))
  return next.map((device) => {
    if (device.busPath !== null) return device
    const before = known.get(`${device.vhAddress}|${device.vendorId}|${device.productId}|${device.serial ?? ""}`)
    return before === undefined
      ? device
      : {
          ...device,
          busPath: before.busPath,
          speed: device.speed ?? before.speed,
          deviceClass: device.deviceClass ?? before.deviceClass,
          manufacturer: device.manufacturer ?? before.manufacturer,
          product: device.product ?? before.product
        }
  })
}
