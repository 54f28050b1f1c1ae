import { Schema } from "effect"
import { DeviceId, GrantId, OrgUnitId, SlaveId, UserId } from "../ids.js"
import { Timestamp } from "../schema/Timestamp.js"

/** What a grant covers: one device, or every device of a slave. */
export const GrantTarget = Schema.Union(
  Schema.TaggedStruct("device", { deviceId: DeviceId }),
  Schema.TaggedStruct("slave", { slaveId: SlaveId })
)
export type GrantTarget = typeof GrantTarget.Type

/** Who a grant is for: one user, or every member of an org unit and its descendants. */
export const GrantSubject = Schema.Union(
  Schema.TaggedStruct("user", { userId: UserId }),
  Schema.TaggedStruct("orgUnit", { orgUnitId: OrgUnitId })
)
export type GrantSubject = typeof GrantSubject.Type

export class DeviceGrant extends Schema.Class<DeviceGrant>("DeviceGrant")({
  id: GrantId,
  target: GrantTarget,
  subject: GrantSubject,
  createdBy: Schema.NullOr(UserId),
  createdAt: Timestamp
}) {}
