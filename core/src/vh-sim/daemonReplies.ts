import type { VhClientState, VhDeviceInfo, VhListReply, VhServerInfo, VhStateDevice, VhUseStatus } from "../vh/index.js"
import type { HubLink } from "./HubLink.js"
import type { SimDeviceSnapshot } from "./protocol.js"

/**
 * Turns the simulated client's view (its hub links) into the core models; the core printers then
 * give the real layouts. Choices where the real client's behaviour is unknown are marked.
 */
export interface DaemonView {
  readonly links: ReadonlyArray<HubLink>
  readonly autoFind: boolean
  readonly autoUseAll: boolean
  readonly reverseLookup: boolean
  readonly reverseSslLookup: boolean
  readonly runningAsService: boolean
  readonly isAutoUse: (link: HubLink, device: SimDeviceSnapshot) => "specific" | "general" | false
}

export const connectedLinks = (view: DaemonView) => view.links.filter((link) => link.state === "connected" && link.facts)

export const fullAddress = (link: HubLink, device: SimDeviceSnapshot) => `${link.facts!.hostname}.${device.address}`

/** LIST shows the USB product string, or `0x<pid>` when there is none (never the nickname: unsure). */
const listName = (device: SimDeviceSnapshot) => (device.product === "" ? `0x${device.productId}` : device.product)

const useStatus = (device: SimDeviceSnapshot): VhUseStatus =>
  device.boundTo === null
    ? { _tag: "Free" }
    : device.boundTo.byYou
      ? { _tag: "InUseByYou" }
      : { _tag: "InUseByOther", clientId: device.boundTo.clientId, ip: device.boundTo.ip }

export const listModel = (view: DaemonView): VhListReply => ({
  hubs: connectedLinks(view).map((link) => ({
    name: link.facts!.name,
    host: link.facts!.hostname,
    port: link.facts!.port,
    devices: link.devices.map((device) => ({
      name: listName(device),
      address: fullAddress(link, device),
      autoUse: view.isAutoUse(link, device) === "specific",
      status: useStatus(device)
    }))
  })),
  autoFind: view.autoFind,
  autoUseAll: view.autoUseAll,
  reverseLookup: view.reverseLookup,
  reverseSslLookup: view.reverseSslLookup,
  runningAsService: view.runningAsService
})

const versionParts = (version: string) => {
  const [major = 0, minor = 0, revision = 0] = version.split(".").map((part) => Number(part) || 0)
  return { serverMajor: major, serverMinor: minor, serverRevision: revision }
}

export const clientStateModel = (view: DaemonView): VhClientState => ({
  servers: view.links.map((link, index) => {
    const facts = link.facts
    const connected = link.state === "connected" && facts !== undefined
    return {
      connection: {
        connectionId: facts?.connectionId ?? index + 1,
        ...versionParts(facts?.version ?? "0.0.0"),
        serverName: facts?.name ?? "",
        hostname: facts?.hostname ?? "",
        serverSerial: facts?.serial ?? "",
        licenseMaxDevices: facts?.maxDevices ?? 0,
        // Bits: CONNECTED=1, LOGGED_IN=2, CONNECTING=4 (vendor forum).
        state: connected ? 3 : 4,
        host: link.host,
        port: link.port,
        ip: connected ? link.remoteIp : "",
        extra: { secure: "0", interfaceName: "", error: "0" }
      },
      devices: connected
        ? link.devices.map(
            (device): VhStateDevice => ({
              vendor: device.manufacturer,
              product: device.product,
              idVendor: parseInt(device.vendorId, 16),
              idProduct: parseInt(device.productId, 16),
              address: device.address,
              connectionId: facts.connectionId,
              state: device.boundTo === null ? 1 : 3,
              deviceSerial: device.serial,
              nickname: device.nickname,
              boundClientHostname: device.boundTo?.hostname ?? "",
              boundConnectionIp: device.boundTo?.ip ?? "",
              clientId: device.boundTo?.clientId ?? "",
              autoUse: view.isAutoUse(link, device) ? "on" : "not-set",
              extra: {
                serverSerial: facts.serial,
                serverName: facts.name,
                numConfigurations: String(device.numConfigurations),
                firstInterfaceClass: String(device.firstInterfaceClass)
              }
            })
          )
        : []
    }
  })
})

export const deviceInfoModel = (link: HubLink, device: SimDeviceSnapshot): VhDeviceInfo => ({
  address: fullAddress(link, device),
  vendor: device.manufacturer,
  vendorId: device.vendorId,
  product: device.product,
  productId: device.productId,
  serial: device.serial === "" ? null : device.serial,
  nickname: device.nickname === "" ? null : device.nickname,
  inUseBy:
    device.boundTo === null
      ? { _tag: "NoOne" }
      : device.boundTo.byYou
        ? { _tag: "You" }
        : {
            _tag: "Other",
            // Layout for another client is not documented: `<client id> AT <ip> (<hostname>)` is assumed.
            text: `${device.boundTo.clientId} AT ${device.boundTo.ip} (${device.boundTo.hostname})`,
            clientId: device.boundTo.clientId,
            ip: device.boundTo.ip,
            hostname: device.boundTo.hostname
          },
  extra: {}
})

export const serverInfoModel = (link: HubLink): VhServerInfo => ({
  name: link.facts!.name,
  version: link.facts!.version,
  state: "Logged in",
  address: link.facts!.hostname,
  resolvedAddress: link.remoteIp,
  port: link.facts!.port,
  connectedForSeconds: Math.floor((Date.now() - link.connectedAt) / 1000),
  maxDevices: link.facts!.maxDevices,
  connectionId: link.facts!.connectionId,
  interface: "",
  serialNumber: link.facts!.serial,
  easyFind: "not enabled",
  extra: {}
})
