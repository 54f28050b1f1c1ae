import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { latestMigrationId, migrationsTable } from "./Migrations.js"

export interface SchemaStatus {
  readonly applied: number
  readonly expected: number
}

/** The newest migration applied in this database, against the newest this build knows. */
export const schemaStatus = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ applied: number | null }>`
    select max(migration_id) as applied from ${sql(migrationsTable)}`.pipe(
    Effect.catchAll(() => Effect.succeed([{ applied: 0 }]))
  )
  return { applied: rows[0]?.applied ?? 0, expected: latestMigrationId } satisfies SchemaStatus
})

/** One cheap round trip proving the database answers. */
export const ping = Effect.flatMap(SqlClient.SqlClient, (sql) => sql`select 1`).pipe(Effect.asVoid)
