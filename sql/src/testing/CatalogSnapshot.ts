import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * A comparable picture of the public schema: tables, columns, constraints and indexes, as the
 * catalog itself renders them. NOT NULL constraints are left to the column list because
 * PostgreSQL 18 (the embedded one) also lists them in pg_constraint and PostgreSQL 15 does not.
 */
export const catalogSnapshot = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const columns = yield* sql`
    select table_name, column_name, data_type, udt_name, is_nullable, column_default
    from information_schema.columns where table_schema = 'public'
    order by table_name, ordinal_position`.withoutTransform
  const constraints = yield* sql`
    select conrelid::regclass::text as table_name, conname, contype, pg_get_constraintdef(oid) as definition
    from pg_constraint where connamespace = 'public'::regnamespace and contype <> 'n'
    order by 1, 2`.withoutTransform
  const indexes = yield* sql`
    select tablename, indexname, indexdef from pg_indexes where schemaname = 'public'
    order by 1, 2`.withoutTransform
  return { columns, constraints, indexes }
})
