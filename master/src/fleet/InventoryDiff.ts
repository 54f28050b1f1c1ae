import type { Device, DeviceEventKind, DeviceId, DeviceState, ReportedDevice, SlaveId, SlaveReport } from "@ncod/core"
import type { DeviceFieldChanges, NewDeviceRow } from "@ncod/sql"
import { createHash } from "node:crypto"

/**
 * Identity of a device across re-plugs: with a serial number it is the device itself wherever it is
 * plugged; without one, the product on that port. (VirtualHere addresses change with ports.)
 */
export const stableKeyOf = (device: Pick<ReportedDevice, "vendorId" | "productId" | "serial" | "busPath" | "vhAddress">) =>
  device.serial !== null && device.serial.trim() !== ""
    ? `${device.vendorId}:${device.productId}:serial:${device.serial.trim()}`
    : `${device.vendorId}:${device.productId}:port:${device.busPath ?? device.vhAddress}`

/** A digest of everything a report says, so an unchanged report is recognised without a query. */
export const reportHash = (report: SlaveReport) => {
  const devices = [...report.devices]
    .map((d) => [stableKeyOf(d), d.vhAddress, d.manufacturer, d.product, d.busPath, d.speed, d.deviceClass, d.boundClient])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])))
  return createHash("sha1")
    .update(
      JSON.stringify([report.agentVersion, report.accessMode, report.degraded, report.server, devices])
    )
    .digest("base64url")
}

const stateFor = (device: ReportedDevice): DeviceState => (device.boundClient ? "in_use" : "available")

export interface DeviceUpdatePlan {
  readonly id: DeviceId
  readonly changes: DeviceFieldChanges
  readonly events: ReadonlyArray<{ readonly kind: DeviceEventKind; readonly details: Record<string, unknown> }>
}

export interface InventoryPlan {
  readonly inserts: ReadonlyArray<NewDeviceRow>
  readonly updates: ReadonlyArray<DeviceUpdatePlan>
  readonly removals: ReadonlyArray<DeviceUpdatePlan>
}

const tracked = ["vhAddress", "manufacturer", "product", "serial", "busPath", "speed", "deviceClass"] as const

/**
 * Compares a report with the stored devices and says exactly what to write. Pure: ingestion runs
 * it inside the transaction that holds the slave's row lock.
 */
export const planInventory = (slaveId: SlaveId, report: SlaveReport, stored: ReadonlyArray<Device>): InventoryPlan => {
  const byKey = new Map(stored.map((device) => [device.stableKey, device]))
  const seen = new Set<string>()
  const inserts: Array<NewDeviceRow> = []
  const updates: Array<DeviceUpdatePlan> = []

  for (const reported of report.devices) {
    const key = stableKeyOf(reported)
    if (seen.has(key)) continue // the same device listed twice: keep the first
    seen.add(key)
    const current = byKey.get(key)
    const state = stateFor(reported)
    if (current === undefined) {
      inserts.push({
        slaveId,
        stableKey: key,
        vhAddress: reported.vhAddress,
        vendorId: reported.vendorId,
        productId: reported.productId,
        manufacturer: reported.manufacturer,
        product: reported.product,
        serial: reported.serial,
        busPath: reported.busPath,
        speed: reported.speed,
        deviceClass: reported.deviceClass,
        state,
        boundClient: reported.boundClient
      })
      continue
    }
    const changes: Record<string, unknown> = {}
    const events: Array<{ kind: DeviceEventKind; details: Record<string, unknown> }> = []
    for (const field of tracked) {
      if (current[field] !== reported[field]) changes[field] = reported[field]
    }
    const changedFields = Object.keys(changes)
    if (changedFields.length > 0) events.push({ kind: "changed", details: { fields: changedFields } })
    if (current.state === "removed") events.push({ kind: "returned", details: { vhAddress: reported.vhAddress } })
    else if (current.state === "offline") events.push({ kind: "online", details: {} })
    if (current.boundClient !== reported.boundClient) {
      changes["boundClient"] = reported.boundClient
      events.push(
        reported.boundClient
          ? { kind: "bound", details: { client: reported.boundClient } }
          : { kind: "unbound", details: { client: current.boundClient } }
      )
    }
    if (current.state !== state) changes["state"] = state
    if (Object.keys(changes).length > 0) updates.push({ id: current.id, changes, events })
  }

  const removals = stored
    .filter((device) => device.state !== "removed" && !seen.has(device.stableKey))
    .map((device) => ({
      id: device.id,
      changes: { state: "removed" as const, boundClient: null },
      events: [{ kind: "removed" as const, details: { vhAddress: device.vhAddress } }]
    }))

  return { inserts, updates, removals }
}

export const isEmptyPlan = (plan: InventoryPlan) =>
  plan.inserts.length === 0 && plan.updates.length === 0 && plan.removals.length === 0
