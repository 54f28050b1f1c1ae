import { Migrator } from "@effect/sql"
import { Effect } from "effect"
import initial from "./migrations/0001_initial.js"
import fleet from "./migrations/0002_fleet.js"
import leases from "./migrations/0003_leases.js"

/**
 * Forward-only, numbered migrations, recorded in `effect_sql_migrations`. Add a file
 * `migrations/NNNN_name.ts` and list it here; never edit one that has shipped.
 */
const migrations = {
  "0001_initial": initial,
  "0002_fleet": fleet,
  "0003_leases": leases
}

export const latestMigrationId = Math.max(...Object.keys(migrations).map((key) => Number(key.slice(0, 4))))

export const migrationsTable = "effect_sql_migrations"

const runMigrator = Migrator.make({})

/** Applies every pending migration under the migrator's table lock; returns what it applied. */
export const runMigrations = runMigrator({
  loader: Migrator.fromRecord(migrations),
  table: migrationsTable
}).pipe(Effect.withSpan("Migrations.run"))
