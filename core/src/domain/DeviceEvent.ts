import { Schema } from "effect"
import { DeviceEventId, DeviceId, SlaveId } from "../ids.js"
import { JsonDetails } from "../schema/Text.js"
import { Timestamp } from "../schema/Timestamp.js"

export const DeviceEventKind = Schema.Literal(
  "added",
  "removed",
  "returned",
  "changed",
  "bound",
  "unbound",
  "offline",
  "online"
)
export type DeviceEventKind = typeof DeviceEventKind.Type

/** The history of one device as the fleet saw it. */
export class DeviceEvent extends Schema.Class<DeviceEvent>("DeviceEvent")({
  id: DeviceEventId,
  deviceId: DeviceId,
  slaveId: SlaveId,
  kind: DeviceEventKind,
  details: JsonDetails,
  at: Timestamp
}) {}
