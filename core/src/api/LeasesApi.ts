import { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { Schema } from "effect"
import { Device } from "../domain/Device.js"
import { Lease, LeaseEndReason } from "../domain/Lease.js"
import { Conflict, Forbidden, NotFound, ValidationFailed } from "../errors/ApiErrors.js"
import { DeviceBusy, DeviceUnavailable } from "../errors/AuthErrors.js"
import { DeviceId, LeaseId, OrgUnitId, UserId } from "../ids.js"
import { Timestamp } from "../schema/Timestamp.js"
import { AdminOnly, ApprovedUser } from "./Security.js"
import { Page, PageQuery, Reason, strict } from "./shared.js"

export const NewLease = Schema.Struct({
  deviceId: DeviceId,
  /** Defaults to the master's default duration; capped at its maximum. */
  minutes: Schema.optional(Schema.Int.pipe(Schema.between(1, 7 * 24 * 60)))
}).annotations(strict)

/** What connecting needs: where the device is and the one-time password its hook expects. */
export const LeaseConnection = Schema.Struct({
  lease: Lease,
  device: Device,
  /** The slave's VirtualHere server as the client adds it (`MANUAL HUB ADD,<host>:<port>`). */
  hub: Schema.String,
  /** Send with `USE,<address>,<password>`; the slave's hook checks it. Null in advisory mode. */
  bindPassword: Schema.NullOr(Schema.String),
  /** The slave cannot enforce access (unlicensed VirtualHere): the lease is honour-based there. */
  advisory: Schema.Boolean,
  /** Send a keep-alive at least this often while connected; silence for twice as long suspends. */
  keepAliveSeconds: Schema.Int,
  /** How long a suspended lease waits for its client before it ends. */
  graceSeconds: Schema.Int
})
export type LeaseConnection = typeof LeaseConnection.Type

export const AttachRequest = Schema.Struct({
  /** This PC's VirtualHere client id, `Full Name (username)`, exactly as the server will see it. */
  clientIdentity: Schema.String.pipe(Schema.minLength(3), Schema.maxLength(300), Schema.pattern(/^[^\u0000-\u001f\u007f,]*\([^()\u0000-\u001f,]+\)$/))
}).annotations(strict)

export const LeaseView = Schema.Struct({
  lease: Lease,
  device: Device,
  slaveName: Schema.String,
  /** Someone asked the holder to let go, with their note. */
  releaseRequest: Schema.NullOr(Schema.Struct({ username: Schema.String, displayName: Schema.String, message: Schema.String, at: Timestamp })),
  queueLength: Schema.Int
})
export type LeaseView = typeof LeaseView.Type

export const QueueEntry = Schema.Struct({
  deviceId: DeviceId,
  position: Schema.Int,
  state: Schema.Literal("waiting", "offered"),
  /** While `offered`: the device is held for this user until then. */
  claimExpiresAt: Schema.NullOr(Timestamp),
  queuedAt: Timestamp
})
export type QueueEntry = typeof QueueEntry.Type

const byId = Schema.Struct({ id: LeaseId })
const byDevice = Schema.Struct({ id: DeviceId })

/**
 * Leases: one user's exclusive use of one device for a while. The database's partial unique index
 * decides races, so two masters or two people can never both win.
 */
export class LeasesApi extends HttpApiGroup.make("leases")
  .add(
    HttpApiEndpoint.post("create", "/leases")
      .setPayload(NewLease)
      .addSuccess(LeaseView, { status: 201 })
      .addError(DeviceBusy)
      .addError(DeviceUnavailable)
  )
  .add(HttpApiEndpoint.get("mine", "/leases").addSuccess(Schema.Array(LeaseView)))
  .add(HttpApiEndpoint.get("get", "/leases/:id").setPath(byId).addSuccess(LeaseView))
  .add(
    HttpApiEndpoint.post("attach", "/leases/:id/attach")
      .setPath(byId)
      .setPayload(AttachRequest)
      .addSuccess(LeaseConnection)
      .addError(Forbidden)
      .addError(DeviceUnavailable)
  )
  .add(HttpApiEndpoint.post("activate", "/leases/:id/activate").setPath(byId).addSuccess(LeaseView))
  .add(HttpApiEndpoint.post("keepAlive", "/leases/:id/keepalive").setPath(byId).addSuccess(LeaseView))
  .add(
    HttpApiEndpoint.post("renew", "/leases/:id/renew")
      .setPath(byId)
      .setPayload(Schema.Struct({ minutes: Schema.optional(Schema.Int.pipe(Schema.between(1, 7 * 24 * 60))) }).annotations(strict))
      .addSuccess(LeaseView)
  )
  .add(
    HttpApiEndpoint.post("release", "/leases/:id/release")
      .setPath(byId)
      .setPayload(Schema.Struct({ reason: Schema.optional(Schema.Literal("released", "bind_failed")) }).annotations(strict))
      .addSuccess(LeaseView)
  )
  .add(
    HttpApiEndpoint.post("requestRelease", "/leases/:id/request-release")
      .setPath(byId)
      .setPayload(Schema.Struct({ message: Schema.optionalWith(Schema.Trim.pipe(Schema.maxLength(500), Schema.pattern(/^[^\u0000]*$/)), { default: () => "" }) }).annotations(strict))
      .addSuccess(Schema.Void, { status: 204 })
  )
  .add(HttpApiEndpoint.post("declineRelease", "/leases/:id/decline-release").setPath(byId).addSuccess(LeaseView))
  .add(HttpApiEndpoint.post("enqueue", "/devices/:id/queue").setPath(byDevice).addSuccess(QueueEntry, { status: 201 }).addError(DeviceUnavailable))
  .add(HttpApiEndpoint.del("dequeue", "/devices/:id/queue").setPath(byDevice).addSuccess(Schema.Void, { status: 204 }))
  .add(HttpApiEndpoint.get("myQueue", "/queue").addSuccess(Schema.Array(QueueEntry)))
  .addError(NotFound)
  .addError(Conflict)
  .addError(ValidationFailed)
  .middleware(ApprovedUser)
  .prefix("/api/v1")
{}

export const UsageQuery = Schema.Struct({
  userId: Schema.optional(UserId),
  deviceId: Schema.optional(DeviceId),
  orgUnitId: Schema.optional(OrgUnitId),
  from: Schema.optional(Schema.DateTimeUtc),
  to: Schema.optional(Schema.DateTimeUtc),
  open: Schema.optional(Schema.BooleanFromString),
  ...PageQuery
})

export const UsageRecord = Schema.Struct({
  lease: Lease,
  username: Schema.String,
  displayName: Schema.String,
  deviceName: Schema.String,
  slaveName: Schema.String,
  durationSeconds: Schema.Int
})
export type UsageRecord = typeof UsageRecord.Type

/** Admins: every lease (open ones first to act on), usage history, force release and kick. */
export class AdminLeasesApi extends HttpApiGroup.make("adminLeases")
  .add(HttpApiEndpoint.get("usage", "/usage").setUrlParams(UsageQuery).addSuccess(Page(UsageRecord)))
  .add(
    HttpApiEndpoint.post("forceRelease", "/leases/:id/force-release")
      .setPath(byId)
      .setPayload(Schema.Struct({ reason: Reason, kick: Schema.optionalWith(Schema.Boolean, { default: () => false }) }).annotations(strict))
      .addSuccess(Lease)
  )
  .addError(NotFound)
  .addError(Conflict)
  .addError(ValidationFailed)
  .middleware(AdminOnly)
  .prefix("/api/v1/admin")
{}

export { LeaseEndReason }
