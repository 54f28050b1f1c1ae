import { type DatabaseLayer, layerEmbedded, layerPostgres, runMigrations, schemaStatus } from "@ncod/sql"
import { Effect, Option } from "effect"
import type { MasterConfig } from "./config/MasterConfig.js"

/** DATABASE_URL set → that PostgreSQL; unset → the embedded one under the data directory. */
export const databaseLayer = (
  config: Pick<MasterConfig, "databaseUrl" | "databasePoolSize">,
  embeddedDir: string
): DatabaseLayer =>
  Option.match(config.databaseUrl, {
    onNone: () => layerEmbedded(embeddedDir),
    onSome: (url) => layerPostgres(url, { maxConnections: config.databasePoolSize })
  })

/** Migrate when asked to; otherwise refuse to run on a schema older than this build. */
export const prepareSchema = (migrate: boolean) =>
  Effect.gen(function* () {
    if (migrate) {
      const applied = yield* runMigrations
      for (const [id, name] of applied) yield* Effect.logInfo("migration applied").pipe(Effect.annotateLogs({ id, name }))
      return
    }
    const { applied, expected } = yield* schemaStatus
    if (applied < expected) {
      return yield* Effect.fail(
        new Error(`the database schema is at migration ${applied} but this build needs ${expected}: run \`ncod-master migrate\``)
      )
    }
  })
