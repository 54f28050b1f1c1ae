import { SqlClient } from "@effect/sql"
import { type ActorKind, AuditEvent, type AuditResult } from "@ncod/core"
import { Effect, Option, Schema } from "effect"
import { decodeCursor, microsSql, pageOf } from "../Cursor.js"

export interface AuditFilter {
  readonly action?: string | undefined
  readonly actor?: string | undefined
  readonly result?: AuditResult | undefined
  readonly from?: Date | undefined
  readonly to?: Date | undefined
  readonly limit: number
  readonly cursor?: string | undefined
}

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

    const decodeRows = Schema.decodeUnknown(Schema.Array(AuditEvent))
    const list = (filter: AuditFilter) =>
      Effect.gen(function* () {
        const after = decodeCursor(filter.cursor, "micros")
        const rows = yield* sql<{ sortKey: string; id: string }>`
          select id, at, actor_kind, actor_id, actor_name, action, target_type, target_id, result, source_ip, details,
            ${sql.unsafe(microsSql("at"))} as sort_key
          from audit_log where ${sql.and([
            // an action filter ending in "." matches the family: "auth." finds every sign-in event
            ...(filter.action
              ? [filter.action.endsWith(".") ? sql`starts_with(action, ${filter.action})` : sql`action = ${filter.action}`]
              : []),
            ...(filter.actor ? [sql`(actor_id = ${filter.actor} or lower(actor_name) = lower(${filter.actor}))`] : []),
            ...(filter.result ? [sql`result = ${filter.result}`] : []),
            ...(filter.from ? [sql`at >= ${filter.from}`] : []),
            ...(filter.to ? [sql`at < ${filter.to}`] : []),
            ...(Option.isSome(after)
              ? [sql`(at, id) < (timestamptz 'epoch' + ${after.value.sortKey}::bigint * interval '1 microsecond', ${after.value.id}::uuid)`]
              : [])
          ])}
          order by at desc, id desc limit ${filter.limit + 1}`
        const page = pageOf(rows, filter.limit, (row) => ({ sortKey: row.sortKey, id: row.id }))
        return { items: yield* decodeRows(page.items), nextCursor: page.nextCursor }
      })

    return {
      record,
      list: (filter: AuditFilter) => list(filter).pipe(Effect.orDie, Effect.withSpan("AuditRepo.list"))
    }
  })
}) {}
