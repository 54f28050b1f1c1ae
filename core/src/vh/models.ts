import { Schema } from "effect"

/**
 * What the VirtualHere client says, as data. Field names follow VirtualHere's own words so a reader
 * can hold a model next to the raw reply. Unknown keys and attributes land in `extra` (newer client
 * versions add them) so a reply can be printed back without losing anything.
 */

const Extra = Schema.Record({ key: Schema.String, value: Schema.String })

// ---------------------------------------------------------------- LIST

/** How LIST marks a device's use: nothing, `(In-use by you)` or `(In-use by: <client id> at <ip>)`. */
export const VhUseStatus = Schema.Union(
  Schema.TaggedStruct("Free", {}),
  Schema.TaggedStruct("InUseByYou", {}),
  Schema.TaggedStruct("InUseByOther", {
    /** `<full name> (<username>)`; the full name may be empty, giving `(michael)`. */
    clientId: Schema.String,
    ip: Schema.NullOr(Schema.String)
  }),
  /** A bracketed suffix this parser does not know yet, kept verbatim (without the brackets). */
  Schema.TaggedStruct("Unrecognized", { text: Schema.String })
)
export type VhUseStatus = typeof VhUseStatus.Type

export const VhListDevice = Schema.Struct({
  /** USB product string, or `0x<pid>` when the device has none; may end with spaces. */
  name: Schema.String,
  /** `<advertised host>.<n>`, e.g. `raspberrypi.114`. */
  address: Schema.String,
  autoUse: Schema.Boolean,
  status: VhUseStatus
})
export type VhListDevice = typeof VhListDevice.Type

export const VhListHub = Schema.Struct({
  name: Schema.String,
  /** The hostname the server advertises (prefix of its devices' addresses). */
  host: Schema.String,
  port: Schema.Int,
  devices: Schema.Array(VhListDevice)
})
export type VhListHub = typeof VhListHub.Type

export const VhListReply = Schema.Struct({
  hubs: Schema.Array(VhListHub),
  /** Footer flags; null when the client version does not print that line. */
  autoFind: Schema.NullOr(Schema.Boolean),
  autoUseAll: Schema.NullOr(Schema.Boolean),
  reverseLookup: Schema.NullOr(Schema.Boolean),
  reverseSslLookup: Schema.NullOr(Schema.Boolean),
  runningAsService: Schema.NullOr(Schema.Boolean)
})
export type VhListReply = typeof VhListReply.Type

// ---------------------------------------------------------------- GET CLIENT STATE

/** Connection `state` bits, as VirtualHere's author documents them. */
export const VhConnectionState = { CONNECTED: 1, LOGGED_IN: 2, CONNECTING: 4, CLOSED: 8 } as const
/** Device `state` bits: 1 connected (plugged, visible), 2 bound to some client. */
export const VhDeviceState = { CONNECTED: 1, BOUND: 2 } as const

export const VhStateConnection = Schema.Struct({
  connectionId: Schema.Int,
  serverMajor: Schema.Int,
  serverMinor: Schema.Int,
  serverRevision: Schema.Int,
  serverName: Schema.String,
  /** Prefix of every device address on this server. */
  hostname: Schema.String,
  serverSerial: Schema.String,
  licenseMaxDevices: Schema.Int,
  state: Schema.Int,
  host: Schema.String,
  port: Schema.Int,
  ip: Schema.String,
  extra: Extra
})
export type VhStateConnection = typeof VhStateConnection.Type

export const VhStateDevice = Schema.Struct({
  vendor: Schema.String,
  product: Schema.String,
  /** Decimal in the XML, as the USB descriptor's 16-bit id. */
  idVendor: Schema.Int,
  idProduct: Schema.Int,
  /** The integer part of the address only; the full address is `<connection hostname>.<address>`. */
  address: Schema.Int,
  connectionId: Schema.Int,
  state: Schema.Int,
  deviceSerial: Schema.String,
  nickname: Schema.String,
  boundClientHostname: Schema.String,
  boundConnectionIp: Schema.String,
  clientId: Schema.String,
  autoUse: Schema.String,
  extra: Extra
})
export type VhStateDevice = typeof VhStateDevice.Type

export const VhStateServer = Schema.Struct({
  connection: VhStateConnection,
  devices: Schema.Array(VhStateDevice)
})
export type VhStateServer = typeof VhStateServer.Type

export const VhClientState = Schema.Struct({ servers: Schema.Array(VhStateServer) })
export type VhClientState = typeof VhClientState.Type

// ---------------------------------------------------------------- DEVICE INFO

export const VhInUseBy = Schema.Union(
  Schema.TaggedStruct("NoOne", {}),
  Schema.TaggedStruct("You", {}),
  Schema.TaggedStruct("Other", {
    /** The text as printed, e.g. `John (john) AT 10.0.0.5 (PC1)`; the split below is best effort. */
    text: Schema.String,
    clientId: Schema.String,
    ip: Schema.NullOr(Schema.String),
    hostname: Schema.NullOr(Schema.String)
  })
)
export type VhInUseBy = typeof VhInUseBy.Type

export const VhDeviceInfo = Schema.Struct({
  address: Schema.String,
  vendor: Schema.String,
  /** Four lower-case hex digits (the reply prints `0x1915`). */
  vendorId: Schema.String,
  product: Schema.String,
  productId: Schema.String,
  serial: Schema.NullOr(Schema.String),
  nickname: Schema.NullOr(Schema.String),
  inUseBy: VhInUseBy,
  extra: Extra
})
export type VhDeviceInfo = typeof VhDeviceInfo.Type

// ---------------------------------------------------------------- SERVER INFO

export const VhServerInfo = Schema.Struct({
  name: Schema.String,
  version: Schema.NullOr(Schema.String),
  state: Schema.NullOr(Schema.String),
  /** `ADDRESS: <host> (<resolved>)`: the advertised host and what it resolved to. */
  address: Schema.String,
  resolvedAddress: Schema.NullOr(Schema.String),
  port: Schema.NullOr(Schema.Int),
  connectedForSeconds: Schema.NullOr(Schema.Int),
  /** 1 on an unlicensed server. */
  maxDevices: Schema.NullOr(Schema.Int),
  connectionId: Schema.NullOr(Schema.Int),
  interface: Schema.NullOr(Schema.String),
  serialNumber: Schema.NullOr(Schema.String),
  easyFind: Schema.NullOr(Schema.String),
  extra: Extra
})
export type VhServerInfo = typeof VhServerInfo.Type

// ---------------------------------------------------------------- action replies

export const VhActionReply = Schema.Union(
  Schema.TaggedStruct("Ok", {}),
  Schema.TaggedStruct("Failed", { reason: Schema.NullOr(Schema.String) }),
  Schema.TaggedStruct("Error", { message: Schema.String })
)
export type VhActionReply = typeof VhActionReply.Type
