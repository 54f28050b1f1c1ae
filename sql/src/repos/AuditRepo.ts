import { SqlClient } from "@effect/sql"
import type { ActorKind, AuditResult } from "@ncod/core"
import { Effect } from "effect"

export interface AuditEntry {
  readonly actorKind: ActorKind
  readonly actorId?: string | null | undefined
  readonly actorName?: string | null | undefined
  readonly action: string
  readonly targetType?: string | null | undefined
  readonly targetId?: string | null | undefined
  readonly result: AuditResult
  readonly sourceIp?: string | null | undefined
  readonly details?: Readonly<Record<string, unknown>> | undefined
}

/** The append-only audit log: who did what, to what, from where, and how it ended. */
export class AuditRepo extends Effect.Service<AuditRepo>()("@ncod/sql/AuditRepo", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const record = (entry: AuditEntry) =>
      sql`insert into audit_log ${sql.insert({
        actorKind: entry.actorKind,
        actorId: entry.actorId ?? null,
        actorName: entry.actorName ?? null,
        action: entry.action,
        targetType: entry.targetType ?? null,
        targetId: entry.targetId ?? null,
        result: entry.result,
        sourceIp: entry.sourceIp ?? null,
        details: JSON.stringify(entry.details ?? {})
      })}`.pipe(Effect.asVoid, Effect.orDie, Effect.withSpan("AuditRepo.record"))
    return { record }
  })
}) {}
