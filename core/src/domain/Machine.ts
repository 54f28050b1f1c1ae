import { Schema } from "effect"
import { MachineId, UserId } from "../ids.js"
import { MacAddress } from "../schema/Text.js"
import { Timestamp } from "../schema/Timestamp.js"

/** A machine binding lets a user's client log in from that PC once an admin approves it. */
export const MachineStatus = Schema.Literal("pending", "approved", "revoked")
export type MachineStatus = typeof MachineStatus.Type

export class Machine extends Schema.Class<Machine>("Machine")({
  id: MachineId,
  userId: UserId,
  mac: MacAddress,
  hostname: Schema.NullOr(Schema.String),
  /** Public key (JWK thumbprint) the client proves possession of at each login. */
  keyThumbprint: Schema.NullOr(Schema.String),
  status: MachineStatus,
  requestedAt: Timestamp,
  decidedAt: Schema.NullOr(Timestamp),
  decidedBy: Schema.NullOr(UserId),
  lastSeenAt: Schema.NullOr(Timestamp)
}) {}
