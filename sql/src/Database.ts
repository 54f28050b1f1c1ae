import { type SqlClient, SqlError } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Context, Data, Effect, Layer, Redacted, String as Str } from "effect"
import pg, { types as pgTypes } from "pg"
import type { DataDirLocked } from "./embedded/DataDirLock.js"
import { type EmbeddedPostgresFailed, startEmbeddedPostgres } from "./embedded/EmbeddedPostgres.js"

/** Which database this process talks to; shown in the banner, /api/v1/info and readiness. */
export class DatabaseInfo extends Context.Tag("@ncod/sql/DatabaseInfo")<
  DatabaseInfo,
  {
    readonly kind: "postgres" | "embedded"
    readonly target: string
    /** Connection pool occupancy, for the metrics. */
    readonly pool: () => { readonly total: number; readonly idle: number; readonly waiting: number }
  }
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
  transformJson: false
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

/**
 * Our own pg pool (rather than the one PgClient would make) so its occupancy can be observed; the
 * first query proves the database answers before anything relies on it.
 */
const poolLayer = (config: pg.PoolConfig, kind: "postgres" | "embedded", target: string): DatabaseLayer =>
  Layer.unwrapScoped(
    Effect.gen(function* () {
      const pool = yield* Effect.acquireRelease(
        Effect.sync(() => new pg.Pool({ ...config, types: typeParsers, application_name: "ncod", connectionTimeoutMillis: 5_000 })),
        (pool) => Effect.promise(() => pool.end()).pipe(Effect.timeoutOption(2_000))
      )
      pool.on("error", () => {
        // an idle connection dropped by the server: the pool replaces it on next use
      })
      yield* Effect.tryPromise({
        try: () => pool.query("select 1"),
        catch: (cause) => new SqlError.SqlError({ cause, message: "cannot connect" })
      })
      return Layer.merge(
        PgClient.layerFromPool({ acquire: Effect.succeed(pool), ...clientOptions }),
        Layer.succeed(DatabaseInfo, {
          kind,
          target,
          pool: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount })
        })
      )
    })
  )

export interface PostgresOptions {
  readonly maxConnections?: number | undefined
}

/** A real PostgreSQL server. */
export const layerPostgres = (databaseUrl: Redacted.Redacted<string>, options: PostgresOptions = {}): DatabaseLayer =>
  Layer.unwrapEffect(
    Effect.map(parseDatabaseUrl(Redacted.value(databaseUrl)), ({ display }) =>
      poolLayer({ connectionString: Redacted.value(databaseUrl), max: options.maxConnections ?? 10 }, "postgres", display)
    )
  )

/** The embedded PostgreSQL (PGlite over pglite-socket), persisted to `dataDir`: nothing to install. */
export const layerEmbedded = (dataDir: string): DatabaseLayer =>
  Layer.unwrapScoped(
    Effect.map(startEmbeddedPostgres(dataDir), ({ host, port, version }) =>
      // the socket server accepts one connection: a bigger pool would get connections reset
      poolLayer({ host, port, database: "postgres", user: "postgres", max: 1 }, "embedded", `${dataDir} (PostgreSQL ${version})`)
    )
  )
