import type { SqlClient, SqlError } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Context, Data, Effect, Layer, Redacted, String as Str } from "effect"
import { types as pgTypes } from "pg"
import type { DataDirLocked } from "./embedded/DataDirLock.js"
import { type EmbeddedPostgresFailed, startEmbeddedPostgres } from "./embedded/EmbeddedPostgres.js"

/** Which database this process talks to; shown in the banner, /api/v1/info and readiness. */
export class DatabaseInfo extends Context.Tag("@ncod/sql/DatabaseInfo")<
  DatabaseInfo,
  { readonly kind: "postgres" | "embedded"; readonly target: string }
>() {}

export class InvalidDatabaseUrl extends Data.TaggedError("InvalidDatabaseUrl")<{ readonly reason: string }> {
  override get message() {
    return `DATABASE_URL is not a valid PostgreSQL URL (${this.reason}); expected postgres://user:password@host:5432/database`
  }
}

// int8 (counts, sequence numbers) as JS numbers: every such value here stays far below 2^53.
const INT8_OID = 20
const typeParsers = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID && format !== "binary"
      ? (value: string) => Number(value)
      : pgTypes.getTypeParser(oid, format as "text")) as typeof pgTypes.getTypeParser
}

const clientOptions = {
  transformQueryNames: Str.camelToSnake,
  transformResultNames: Str.snakeToCamel,
  // jsonb columns hold user data (labels, audit details): their keys must stay as written
  transformJson: false,
  types: typeParsers,
  applicationName: "ncod"
} as const

/** Checks the URL before any connection attempt so a typo fails with one clear line. */
export const parseDatabaseUrl = (raw: string) =>
  Effect.gen(function* () {
    const url = yield* Effect.try({
      try: () => new URL(raw),
      catch: () => new InvalidDatabaseUrl({ reason: "it cannot be parsed" })
    })
    if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
      return yield* new InvalidDatabaseUrl({ reason: `the scheme is ${url.protocol.replace(":", "")}, not postgres` })
    }
    if (!url.hostname && !url.searchParams.get("host")) {
      return yield* new InvalidDatabaseUrl({ reason: "it names no host" })
    }
    return { url, display: `${url.hostname || url.searchParams.get("host")}:${url.port || "5432"}${url.pathname}` }
  })

export type DatabaseStartError = InvalidDatabaseUrl | SqlError.SqlError | DataDirLocked | EmbeddedPostgresFailed

/** What every database layer provides, whichever database it chose. */
export type DatabaseLayer = Layer.Layer<SqlClient.SqlClient | PgClient.PgClient | DatabaseInfo, DatabaseStartError>

export interface PostgresOptions {
  readonly maxConnections?: number | undefined
}

/** A real PostgreSQL server. */
export const layerPostgres = (databaseUrl: Redacted.Redacted<string>, options: PostgresOptions = {}): DatabaseLayer =>
  Layer.unwrapEffect(
    Effect.map(parseDatabaseUrl(Redacted.value(databaseUrl)), ({ display }) =>
      Layer.merge(
        PgClient.layer({ url: databaseUrl, maxConnections: options.maxConnections ?? 10, ...clientOptions }),
        Layer.succeed(DatabaseInfo, { kind: "postgres", target: display })
      )
    )
  )

/** The embedded PostgreSQL (PGlite over pglite-socket), persisted to `dataDir`: nothing to install. */
export const layerEmbedded = (dataDir: string): DatabaseLayer =>
  Layer.unwrapScoped(
    Effect.map(startEmbeddedPostgres(dataDir), ({ host, port, version }) =>
      Layer.merge(
        // the socket server accepts one connection: a bigger pool would get connections reset
        PgClient.layer({ host, port, database: "postgres", username: "postgres", maxConnections: 1, ...clientOptions }),
        Layer.succeed(DatabaseInfo, { kind: "embedded", target: `${dataDir} (PostgreSQL ${version})` })
      )
    )
  )
