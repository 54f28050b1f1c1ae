import { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { Schema } from "effect"
import { Device, DeviceState } from "../domain/Device.js"
import { DeviceEvent } from "../domain/DeviceEvent.js"
import { LeaseState } from "../domain/Lease.js"
import { Slave, SlaveStatus } from "../domain/Slave.js"
import { NotFound, ValidationFailed } from "../errors/ApiErrors.js"
import { DeviceId, LeaseId, SlaveId, UserId } from "../ids.js"
import { UsbId, Text } from "../schema/Text.js"
import { Timestamp } from "../schema/Timestamp.js"
import { ApprovedUser } from "./Security.js"
import { Page, PageQuery } from "./shared.js"

export const DeviceCounts = Schema.Struct({
  available: Schema.Int,
  inUse: Schema.Int,
  offline: Schema.Int
})

export const SlaveSummary = Schema.Struct({ slave: Slave, devices: DeviceCounts })
export type SlaveSummary = typeof SlaveSummary.Type

/** Who holds a device now, when someone does. */
export const Holder = Schema.Struct({
  /** The holder's lease, so others can ask them to release it. */
  leaseId: LeaseId,
  userId: UserId,
  username: Schema.String,
  displayName: Schema.String,
  leaseState: LeaseState,
  since: Timestamp
})

/** A device with what a list needs beside it: its slave's name and status, and its holder. */
export const DeviceView = Schema.Struct({
  device: Device,
  slaveName: Schema.String,
  slaveStatus: SlaveStatus,
  holder: Schema.NullOr(Holder)
})
export type DeviceView = typeof DeviceView.Type

export const DeviceDetail = Schema.Struct({ view: DeviceView, events: Schema.Array(DeviceEvent) })

export const DeviceQuery = Schema.Struct({
  slaveId: Schema.optional(SlaveId),
  state: Schema.optional(DeviceState),
  vendorId: Schema.optional(UsbId),
  productId: Schema.optional(UsbId),
  /** Matches product, manufacturer, nickname, serial, tags and the slave's name. */
  q: Schema.optional(Text(100)),
  sort: Schema.optional(Schema.Literal("name", "lastSeen", "slave")),
  ...PageQuery
})
export type DeviceQuery = typeof DeviceQuery.Type

/**
 * The inventory as a user may see it: admins see everything, users the devices granted to them or
 * to their org unit (and the slaves those devices are on).
 */
export class InventoryApi extends HttpApiGroup.make("inventory")
  .add(HttpApiEndpoint.get("slaves", "/slaves").addSuccess(Schema.Array(SlaveSummary)))
  .add(HttpApiEndpoint.get("slave", "/slaves/:id").setPath(Schema.Struct({ id: SlaveId })).addSuccess(SlaveSummary))
  .add(HttpApiEndpoint.get("devices", "/devices").setUrlParams(DeviceQuery).addSuccess(Page(DeviceView)))
  .add(HttpApiEndpoint.get("device", "/devices/:id").setPath(Schema.Struct({ id: DeviceId })).addSuccess(DeviceDetail))
  .addError(NotFound)
  .addError(ValidationFailed)
  .middleware(ApprovedUser)
  .prefix("/api/v1")
{}
