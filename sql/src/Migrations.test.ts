import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Effect, type Layer } from "effect"
import { latestMigrationId, runMigrations } from "./Migrations.js"
import { schemaStatus } from "./SchemaState.js"
import { catalogSnapshot, embeddedTestLayer, serverTestLayer, serverUrl, testDatabaseLayer } from "./testing/index.js"

const snapshotAfterMigrations = (layer: Layer.Layer<SqlClient.SqlClient, unknown>) =>
  Effect.gen(function* () {
    yield* runMigrations
    return yield* catalogSnapshot
  }).pipe(Effect.provide(layer))

describe("migrations", () => {
  it.live("apply every migration to an empty database, and a second run applies nothing", () =>
    Effect.gen(function* () {
      const first = yield* runMigrations
      expect(first.map(([id]) => id)).toEqual(Array.from({ length: latestMigrationId }, (_, i) => i + 1))
      const second = yield* runMigrations
      expect(second).toEqual([])
      expect(yield* schemaStatus).toEqual({ applied: latestMigrationId, expected: latestMigrationId })
    }).pipe(Effect.provide(testDatabaseLayer))
  )

  it.live("let at most one open lease exist per device", () =>
    Effect.gen(function* () {
      yield* runMigrations
      const sql = yield* SqlClient.SqlClient
      const [slave] = yield* sql<{ id: string }>`insert into slaves (name, host) values ('s1', 'h1') returning id`
      const [device] = yield* sql<{ id: string }>`
        insert into devices (slave_id, vh_address, stable_key, vendor_id, product_id)
        values (${slave!.id}, 'h1.1', '1-1:0403:6001:A1', '0403', '6001') returning id`
      const [user] = yield* sql<{ id: string }>`
        insert into users (username, display_name, password_hash) values ('alice', 'Alice', 'x') returning id`
      const lease = sql`
        insert into leases (device_id, user_id, client_identity, expires_at)
        values (${device!.id}, ${user!.id}, 'Alice (alice)', now() + interval '1 hour')`
      yield* lease
      const second = yield* Effect.either(lease)
      expect(second._tag).toBe("Left")
      yield* sql`update leases set state = 'ended', ended_at = now(), end_reason = 'released'`
      yield* lease
    }).pipe(Effect.provide(testDatabaseLayer))
  )

  it.live("reject values outside the enumerations", () =>
    Effect.gen(function* () {
      yield* runMigrations
      const sql = yield* SqlClient.SqlClient
      const result = yield* Effect.either(
        sql`insert into users (username, display_name, password_hash, role) values ('bob', 'Bob', 'x', 'root')`
      )
      expect(result._tag).toBe("Left")
    }).pipe(Effect.provide(testDatabaseLayer))
  )
})

const url = serverUrl()
describe.runIf(url)("migrations on PostgreSQL and on the embedded database", () => {
  it.live("produce identical schemas", () =>
    Effect.gen(function* () {
      const server = yield* snapshotAfterMigrations(serverTestLayer(url!))
      const embedded = yield* snapshotAfterMigrations(embeddedTestLayer)
      expect(embedded.columns).toEqual(server.columns)
      expect(embedded.constraints).toEqual(server.constraints)
      expect(embedded.indexes).toEqual(server.indexes)
      expect(server.indexes.length).toBeGreaterThan(20)
    })
  )
})
if (!url) console.warn("[not run] schema comparison with PostgreSQL: DATABASE_URL is not set")
