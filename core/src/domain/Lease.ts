import { Schema } from "effect"
import { DeviceId, LeaseId, MachineId, UserId } from "../ids.js"
import { Timestamp } from "../schema/Timestamp.js"

/**
 * `pending`: granted, the client is binding. `active`: bound. `suspended`: the slave or the client
 * went away and the lease waits out its grace period. `ended`: over, with a reason.
 */
export const LeaseState = Schema.Literal("pending", "active", "suspended", "ended")
export type LeaseState = typeof LeaseState.Type

export const LeaseEndReason = Schema.Literal(
  "released",
  "expired",
  "device_removed",
  "force_released",
  "kicked",
  "grace_expired",
  "bind_failed",
  "account_changed"
)
export type LeaseEndReason = typeof LeaseEndReason.Type

export class Lease extends Schema.Class<Lease>("Lease")({
  id: LeaseId,
  deviceId: DeviceId,
  userId: UserId,
  machineId: Schema.NullOr(MachineId),
  /** The VirtualHere client id (`Full Name (username)`) the slave's hook allows; null until a client attaches. */
  clientIdentity: Schema.NullOr(Schema.String),
  state: LeaseState,
  /** Why a suspended lease waits: its slave went offline, or its client stopped checking in. */
  suspendedReason: Schema.NullOr(Schema.Literal("slave_offline", "client_lost")),
  startedAt: Timestamp,
  expiresAt: Timestamp,
  endedAt: Schema.NullOr(Timestamp),
  endReason: Schema.NullOr(LeaseEndReason)
}) {}
