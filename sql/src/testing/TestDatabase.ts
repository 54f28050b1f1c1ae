import { Effect, Layer, Redacted } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import pg from "pg"
import { layerEmbedded, layerPostgres } from "../Database.js"

/**
 * Test databases: with DATABASE_URL set (CI always sets it), a throwaway database on that server,
 * created for one test file and dropped afterwards; without it, an embedded PostgreSQL in a
 * temporary directory. Either way a test gets a clean, fully real PostgreSQL.
 */
export const serverUrl = (): string | undefined => process.env["DATABASE_URL"] || undefined

const adminQuery = (url: string, text: string) =>
  Effect.acquireUseRelease(
    Effect.promise(async () => {
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      return client
    }),
    (client) => Effect.promise(() => client.query(text)),
    (client) => Effect.promise(() => client.end())
  )

/** A fresh empty database on the server of DATABASE_URL; dropped when the scope closes. */
export const scopedServerDatabase = (baseUrl: string) =>
  Effect.acquireRelease(
    Effect.gen(function* () {
      const name = `ncod_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`
      yield* adminQuery(baseUrl, `create database ${name}`)
      const url = new URL(baseUrl)
      url.pathname = `/${name}`
      return { name, url: url.toString() }
    }),
    ({ name }) => adminQuery(baseUrl, `drop database if exists ${name} with (force)`)
  )

/** A temporary directory removed when the scope closes. */
export const scopedTempDir = (prefix: string) =>
  Effect.acquireRelease(
    Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), prefix))),
    (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
  )

export const embeddedTestLayer = Layer.unwrapScoped(
  Effect.map(scopedTempDir("ncod-test-db-"), (dir) => layerEmbedded(path.join(dir, "pgdata")))
)

export const serverTestLayer = (baseUrl: string) =>
  Layer.unwrapScoped(
    Effect.map(scopedServerDatabase(baseUrl), ({ url }) => layerPostgres(Redacted.make(url), { maxConnections: 5 }))
  )

/** The database for a test file: the server's when DATABASE_URL is set, else the embedded one. */
export const testDatabaseLayer = Layer.suspend(() => {
  const url = serverUrl()
  return url ? serverTestLayer(url) : embeddedTestLayer
})
