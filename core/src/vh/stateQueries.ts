import { formatVhAddress } from "./address.js"
import { VhConnectionState, VhDeviceState, type VhClientState, type VhStateConnection, type VhStateDevice } from "./models.js"
import { sameHost } from "./normalize.js"

/** A device of the client state with what callers usually need beside it. */
export interface VhStateDeviceView {
  readonly address: string
  readonly connection: VhStateConnection
  readonly device: VhStateDevice
  readonly bound: boolean
}

/**
 * Bound means the BOUND bit (2). A forum user saw `4` for "in use by another client" on an older
 * version; the author documents bits only, so 4 alone is read as bound too (defensive).
 */
export const isVhStateDeviceBound = (device: VhStateDevice): boolean =>
  (device.state & VhDeviceState.BOUND) !== 0 || device.state === 4

export const isVhConnectionLoggedIn = (connection: VhStateConnection): boolean =>
  (connection.state & VhConnectionState.LOGGED_IN) !== 0

export const listVhStateDevices = (state: VhClientState): ReadonlyArray<VhStateDeviceView> =>
  state.servers.flatMap((server) =>
    server.devices.map((device) => ({
      address: formatVhAddress(server.connection.hostname, device.address),
      connection: server.connection,
      device,
      bound: isVhStateDeviceBound(device)
    }))
  )

/** The device at an address (host part compared case-insensitively), if the client sees it. */
export const findVhStateDevice = (state: VhClientState, address: string): VhStateDeviceView | undefined => {
  const dot = address.lastIndexOf(".")
  if (dot <= 0) return undefined
  const host = address.slice(0, dot)
  const index = Number(address.slice(dot + 1))
  return listVhStateDevices(state).find((view) => sameHost(view.connection.hostname, host) && view.device.address === index)
}
