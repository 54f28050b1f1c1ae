import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import { layerPostgres } from "@ncod/sql"
import { serverUrl } from "@ncod/sql/testing"
import { Deferred, Effect, Fiber, Layer, Redacted } from "effect"
import { adminApi, demoReported, enrollSlave, makeReport } from "../testing/FleetFixtures.js"
import { TestMaster, testHttpClientLayer, testMasterLayer } from "../testing/TestMaster.js"

// offline after 2 s of silence (1 s interval, 2 missed); the sweep runs every 200 ms
const Fleet = Layer.provideMerge(testHttpClientLayer, testMasterLayer({ NCOD_REPORT_INTERVAL_SECONDS: "1", NCOD_OFFLINE_AFTER_MISSED: "2" }))

describe.runIf(serverUrl())("the offline sweep", () => {
  layer(Fleet, { timeout: 120_000, excludeTestServices: true })("with a slow database", (it) => {
    it.effect("does not mark a slave offline while its heartbeats are taken but wait to be written", () =>
      Effect.gen(function* () {
        const master = yield* TestMaster
        const slave = yield* enrollSlave("lab-busy")
        const devices = demoReported(9, 2, "lab-busy")
        const send = (seq: number) => slave.client.slaveAgent.report({ path: { id: slave.slaveId }, payload: makeReport(seq, "lab-busy", devices) })
        expect((yield* send(1)).outcome).toBe("changed")

        // another session holds the slave's row, so the master's heartbeat writes wait for it — as
        // they wait behind a cold fleet's first reports for the database
        const locked = yield* Deferred.make<void>()
        const release = yield* Deferred.make<void>()
        const holder = yield* Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          yield* sql.withTransaction(
            Effect.gen(function* () {
              yield* sql`select 1 from slaves where id = ${slave.slaveId} for update`
              yield* Deferred.succeed(locked, undefined)
              yield* Deferred.await(release)
            })
          )
        }).pipe(Effect.provide(layerPostgres(Redacted.make(master.databaseUrl!), { maxConnections: 1 })), Effect.fork)
        yield* Deferred.await(locked)

        // the slave keeps reporting for twice the offline limit; each heartbeat is taken, none written
        for (let seq = 2; seq <= 11; seq++) {
          expect((yield* send(seq)).outcome).toBe("unchanged")
          yield* Effect.sleep("400 millis")
        }
        yield* Deferred.succeed(release, undefined)
        yield* Fiber.join(holder)
        yield* Effect.sleep("500 millis")

        const admin = yield* adminApi
        expect((yield* admin.inventory.slave({ path: { id: slave.slaveId } })).slave.status).toBe("online")
        const listed = yield* admin.inventory.devices({ urlParams: { slaveId: slave.slaveId } })
        for (const view of listed.items) {
          const detail = yield* admin.inventory.device({ path: { id: view.device.id } })
          expect(detail.events.map((event) => event.kind)).toEqual(["added"])
        }
      })
    )
  })
})
