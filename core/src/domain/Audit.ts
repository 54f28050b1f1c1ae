import { Schema } from "effect"
import { AuditEventId } from "../ids.js"
import { JsonDetails } from "../schema/Text.js"
import { Timestamp } from "../schema/Timestamp.js"

export const ActorKind = Schema.Literal("user", "admin", "slave", "system", "anonymous")
export type ActorKind = typeof ActorKind.Type

export const AuditResult = Schema.Literal("success", "denied", "failed")
export type AuditResult = typeof AuditResult.Type

/** One security-relevant action: who, what, on what, from where, and how it ended. */
export class AuditEvent extends Schema.Class<AuditEvent>("AuditEvent")({
  id: AuditEventId,
  at: Timestamp,
  actorKind: ActorKind,
  actorId: Schema.NullOr(Schema.String),
  actorName: Schema.NullOr(Schema.String),
  action: Schema.String,
  targetType: Schema.NullOr(Schema.String),
  targetId: Schema.NullOr(Schema.String),
  result: AuditResult,
  sourceIp: Schema.NullOr(Schema.String),
  details: JsonDetails
}) {}
