import { Schema } from "effect"
import { DeviceId, SlaveId } from "../ids.js"
import { UsbId } from "../schema/Text.js"
import { Timestamp } from "../schema/Timestamp.js"

export const DeviceState = Schema.Literal("available", "in_use", "offline", "removed")
export type DeviceState = typeof DeviceState.Type

export class Device extends Schema.Class<Device>("Device")({
  id: DeviceId,
  slaveId: SlaveId,
  /** VirtualHere address `<server hostname>.<n>`; may change when the device is re-plugged. */
  vhAddress: Schema.String,
  /** Identity across re-plugs: bus path + vendor/product/serial on that slave. */
  stableKey: Schema.String,
  vendorId: UsbId,
  productId: UsbId,
  manufacturer: Schema.NullOr(Schema.String),
  product: Schema.NullOr(Schema.String),
  serial: Schema.NullOr(Schema.String),
  /** USB port path on the slave (`1-1.4`), speed in Mbit/s and USB class, from sysfs. */
  busPath: Schema.NullOr(Schema.String),
  speed: Schema.NullOr(Schema.String),
  deviceClass: Schema.NullOr(Schema.String),
  nickname: Schema.NullOr(Schema.String),
  tags: Schema.Array(Schema.String),
  state: DeviceState,
  /** VirtualHere client id bound to the device, as the server reports it. */
  boundClient: Schema.NullOr(Schema.String),
  firstSeenAt: Timestamp,
  lastSeenAt: Timestamp
}) {}
