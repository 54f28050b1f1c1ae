import type { Principal } from "@ncod/core"
import { type AuditEntry, AuditRepo } from "@ncod/sql"
import { Context, Effect, Layer } from "effect"

/**
 * Records security-relevant actions in the audit table and as one structured log line each, so a
 * log shipper sees them too. Entries carry identifiers and outcomes, never secrets.
 */
export class AuditTrail extends Context.Tag("@ncod/master/AuditTrail")<
  AuditTrail,
  { readonly record: (entry: AuditEntry) => Effect.Effect<void> }
>() {}

export const AuditTrailLive = Layer.effect(
  AuditTrail,
  Effect.map(AuditRepo, (repo) => ({
    record: (entry: AuditEntry) =>
      Effect.zipRight(
        repo.record(entry),
        Effect.logInfo("audit").pipe(
          Effect.annotateLogs({
            action: entry.action,
            result: entry.result,
            actor: entry.actorName ?? entry.actorId ?? entry.actorKind,
            ...(entry.targetType ? { target: `${entry.targetType}:${entry.targetId ?? ""}` } : {}),
            ...(entry.sourceIp ? { sourceIp: entry.sourceIp } : {})
          })
        )
      )
  }))
)

/** The actor fields of an audit entry for a signed-in caller. */
export const actorOf = (principal: Principal) => ({
  actorKind: principal.role === "admin" ? ("admin" as const) : ("user" as const),
  actorId: principal.userId,
  actorName: principal.username
})
