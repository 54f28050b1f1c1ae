import { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { Schema } from "effect"
import { Device } from "../domain/Device.js"
import { EnrollmentToken } from "../domain/Enrollment.js"
import { DeviceGrant, GrantSubject, GrantTarget } from "../domain/Grant.js"
import { Slave } from "../domain/Slave.js"
import { Conflict, NotFound, ValidationFailed } from "../errors/ApiErrors.js"
import { DeviceId, EnrollmentTokenId, GrantId, OrgUnitId, SlaveId, UserId } from "../ids.js"
import { Label, Labels } from "../schema/Text.js"
import { AdminOnly } from "./Security.js"
import { strict } from "./shared.js"

export const NewEnrollmentToken = Schema.Struct({
  label: Label(120),
  maxUses: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 10_000)), { default: () => 1 }),
  expiresInHours: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 24 * 365)), { default: () => 24 })
}).annotations(strict)

export const IssuedEnrollmentToken = Schema.Struct({
  enrollmentToken: EnrollmentToken,
  /** The secret, shown once. */
  token: Schema.String,
  /** A ready-to-paste command for the slave. */
  installCommand: Schema.String
})

const tokenById = Schema.Struct({ id: EnrollmentTokenId })
const slaveById = Schema.Struct({ id: SlaveId })

export const SlaveUpdate = Schema.Struct({ name: Schema.optional(Label(120)), labels: Schema.optional(Labels) }).annotations(strict)

export const DeviceUpdate = Schema.Struct({
  nickname: Schema.optional(Schema.NullOr(Label(120))),
  tags: Schema.optional(Schema.Array(Label(40)).pipe(Schema.maxItems(20)))
}).annotations(strict)

export const GrantQuery = Schema.Struct({
  deviceId: Schema.optional(DeviceId),
  slaveId: Schema.optional(SlaveId),
  userId: Schema.optional(UserId),
  orgUnitId: Schema.optional(OrgUnitId)
})

export const NewGrant = Schema.Struct({ target: GrantTarget, subject: GrantSubject }).annotations(strict)

/** Admins manage the fleet: enrollment tokens, slaves, device names and tags, and grants. */
export class AdminFleetApi extends HttpApiGroup.make("adminFleet")
  .add(HttpApiEndpoint.post("createEnrollmentToken", "/enrollment-tokens").setPayload(NewEnrollmentToken).addSuccess(IssuedEnrollmentToken, { status: 201 }))
  .add(HttpApiEndpoint.get("enrollmentTokens", "/enrollment-tokens").addSuccess(Schema.Array(EnrollmentToken)))
  .add(HttpApiEndpoint.post("revokeEnrollmentToken", "/enrollment-tokens/:id/revoke").setPath(tokenById).addSuccess(EnrollmentToken))
  .add(HttpApiEndpoint.patch("updateSlave", "/slaves/:id").setPath(slaveById).setPayload(SlaveUpdate).addSuccess(Slave))
  .add(HttpApiEndpoint.post("decommissionSlave", "/slaves/:id/decommission").setPath(slaveById).addSuccess(Slave))
  .add(HttpApiEndpoint.post("readmitSlave", "/slaves/:id/readmit").setPath(slaveById).addSuccess(Slave))
  .add(HttpApiEndpoint.del("deleteSlave", "/slaves/:id").setPath(slaveById).addSuccess(Schema.Void, { status: 204 }))
  .add(HttpApiEndpoint.patch("updateDevice", "/devices/:id").setPath(Schema.Struct({ id: DeviceId })).setPayload(DeviceUpdate).addSuccess(Device))
  .add(HttpApiEndpoint.get("grants", "/grants").setUrlParams(GrantQuery).addSuccess(Schema.Array(DeviceGrant)))
  .add(HttpApiEndpoint.post("createGrant", "/grants").setPayload(NewGrant).addSuccess(DeviceGrant, { status: 201 }))
  .add(HttpApiEndpoint.del("deleteGrant", "/grants/:id").setPath(Schema.Struct({ id: GrantId })).addSuccess(Schema.Void, { status: 204 }))
  .addError(NotFound)
  .addError(Conflict)
  .addError(ValidationFailed)
  .middleware(AdminOnly)
  .prefix("/api/v1/admin")
{}
