import { Schema } from "effect"
import { SlaveId } from "../ids.js"
import { Label, Labels } from "../schema/Text.js"
import { Timestamp } from "../schema/Timestamp.js"

export const SlaveStatus = Schema.Literal("online", "offline", "decommissioned")
export type SlaveStatus = typeof SlaveStatus.Type

/**
 * `enforced`: vhusbd asks the agent's authorization hook, so only lease holders can bind.
 * `advisory`: the server is unlicensed (or has no hook) and leases are not enforced there.
 */
export const AccessMode = Schema.Literal("enforced", "advisory")
export type AccessMode = typeof AccessMode.Type

export class Slave extends Schema.Class<Slave>("Slave")({
  id: SlaveId,
  name: Label(120),
  host: Schema.String,
  vhPort: Schema.Int.pipe(Schema.between(1, 65535)),
  status: SlaveStatus,
  accessMode: AccessMode,
  /** vhusbd not answering on the slave: devices may be unusable although the agent reports. */
  degraded: Schema.Boolean,
  lastSeenAt: Schema.NullOr(Timestamp),
  lastReportSeq: Schema.Int,
  agentVersion: Schema.NullOr(Schema.String),
  labels: Labels,
  /** What the slave's VirtualHere server calls itself: the prefix of its device addresses. */
  vhServerName: Schema.NullOr(Schema.String),
  vhServerVersion: Schema.NullOr(Schema.String),
  /** An unlicensed VirtualHere server shares one device at a time and cannot enforce access. */
  vhLicensed: Schema.Boolean,
  vhMaxDevices: Schema.NullOr(Schema.Int),
  decommissionedAt: Schema.NullOr(Timestamp),
  createdAt: Timestamp
}) {}
