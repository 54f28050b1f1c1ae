import type { DeviceId, DeviceQuery, DeviceView, SlaveId, SlaveSummary } from "@ncod/core"
import type { Api } from "../kit/api/ApiContext.js"

/** The devices and slaves the signed-in user may see (admins: all). */
export const fetchSlaves = (api: Api) => api.call((client) => client.inventory.slaves())

export const fetchSlave = (api: Api, id: SlaveId) => api.call((client) => client.inventory.slave({ path: { id } }))

export const fetchDevices = (api: Api, query: DeviceQuery) => api.call((client) => client.inventory.devices({ urlParams: query }))

export const fetchDevice = (api: Api, id: DeviceId) => api.call((client) => client.inventory.device({ path: { id } }))

/** A device type for the filter: its USB ids and a readable name. */
export interface DeviceType {
  readonly key: string
  readonly vendorId: string
  readonly productId: string
  readonly label: string
}

/** The distinct device types among `views`, by label (the type filter's options). */
export const deviceTypes = (views: ReadonlyArray<DeviceView>): ReadonlyArray<DeviceType> => {
  const types = new Map<string, DeviceType>()
  for (const { device } of views) {
    const key = `${device.vendorId}:${device.productId}`
    if (!types.has(key)) {
      const label = [device.manufacturer, device.product].filter((part) => part).join(" ") || key
      types.set(key, { key, vendorId: device.vendorId, productId: device.productId, label: `${label} (${key})` })
    }
  }
  return [...types.values()].sort((a, b) => a.label.localeCompare(b.label))
}

/** Replaces one device's row in a list (live updates), keeping the order. */
export const replaceView = (views: ReadonlyArray<DeviceView>, next: DeviceView) =>
  views.map((view) => (view.device.id === next.device.id ? next : view))

/** The slave record of a device, for its access mode (advisory slaves cannot enforce leases). */
export const slaveOf = (slaves: ReadonlyArray<SlaveSummary>, id: SlaveId) => slaves.find((summary) => summary.slave.id === id)?.slave

/**
 * The holder's lease id, for "ask to release". The contract's `Holder` does not carry it yet (see
 * web/README.md): until it does, the button stays hidden.
 */
export const holderLeaseId = (holder: DeviceView["holder"]): string | undefined => {
  const value = (holder as { readonly leaseId?: unknown } | null)?.leaseId
  return typeof value === "string" ? value : undefined
}
