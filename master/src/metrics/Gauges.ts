import { SqlClient } from "@effect/sql"
import { DatabaseInfo, DevicesRepo, SlavesRepo } from "@ncod/sql"
import { Effect, Layer, Option } from "effect"
import * as fs from "node:fs"
import { EventBus } from "../events/EventBus.js"
import { RedisConnection } from "../infra/Redis.js"
import { Metrics, registerGauge } from "./Metrics.js"

export interface GaugeOptions {
  readonly tlsNotAfter: Date | undefined
  readonly backupStatusFile: Option.Option<string>
}

/**
 * Gauges read when Prometheus scrapes: fleet and account counts from the database, pool occupancy,
 * whether the database and Redis answer, live subscribers, certificate and backup ages.
 */
export const gaugesLayer = (options: GaugeOptions) =>
  Layer.effectDiscard(
    Effect.gen(function* () {
      const metrics = yield* Metrics
      const sql = yield* SqlClient.SqlClient
      const database = yield* DatabaseInfo
      const slaves = yield* SlavesRepo
      const devices = yield* DevicesRepo
      const redis = yield* RedisConnection
      const bus = yield* EventBus
      const run = <A>(effect: Effect.Effect<A, unknown>) => Effect.runPromise(Effect.either(effect))

      const countsOf = <K extends string>(keys: ReadonlyArray<K>, label: string, rows: Effect.Effect<ReadonlyArray<Record<string, unknown>>, unknown>, key: string) =>
        async () => {
          const result = await run(rows)
          if (result._tag === "Left") return []
          const found = new Map(result.right.map((row) => [String(row[key]), Number(row["n"])]))
          return keys.map((k) => ({ labels: { [label]: k }, value: found.get(k) ?? 0 }))
        }

      // first: prom-client starts every gauge's collection in registration order, so the pool is read
      // before the count queries below take connections (it would report the scrape's own queries)
      yield* registerGauge(metrics, {
        name: "ncod_db_pool_connections",
        aggregator: "sum",
        help: "Database connections of this master by state.",
        labelNames: ["state"],
        collect: async () => {
          const pool = database.pool()
          return [
            { labels: { state: "total" }, value: pool.total },
            { labels: { state: "idle" }, value: pool.idle },
            { labels: { state: "waiting" }, value: pool.waiting }
          ]
        }
      })
      yield* registerGauge(metrics, {
        name: "ncod_slaves",
        aggregator: "first",
        help: "Slaves by status.",
        labelNames: ["status"],
        collect: countsOf(["online", "offline", "decommissioned"], "status", slaves.countByStatus, "status")
      })
      yield* registerGauge(metrics, {
        name: "ncod_devices",
        aggregator: "first",
        help: "Devices by state.",
        labelNames: ["state"],
        collect: countsOf(["available", "in_use", "offline", "removed"], "state", devices.countByState, "state")
      })
      yield* registerGauge(metrics, {
        name: "ncod_users",
        aggregator: "first",
        help: "User accounts by status.",
        labelNames: ["status"],
        collect: countsOf(
          ["pending", "approved", "rejected", "disabled"],
          "status",
          sql`select status, count(*)::int as n from users group by status`,
          "status"
        )
      })
      yield* registerGauge(metrics, {
        name: "ncod_leases_active",
        aggregator: "first",
        help: "Leases not yet ended.",
        collect: async () => {
          const result = await run(sql<{ n: number }>`select count(*)::int as n from leases where ended_at is null`)
          return result._tag === "Right" ? [{ value: result.right[0]?.n ?? 0 }] : []
        }
      })
      yield* registerGauge(metrics, {
        name: "ncod_database_up",
        aggregator: "min",
        help: "1 when the database answered a query within a second at scrape time.",
        collect: async () => [{ value: (await run(sql`select 1`.pipe(Effect.timeout(1_000))))._tag === "Right" ? 1 : 0 }]
      })
      yield* registerGauge(metrics, {
        name: "ncod_redis_up",
        aggregator: "min",
        help: "1 when Redis answered a ping within a second (also 1 when Redis is not configured).",
        collect: async () => {
          if (Option.isNone(redis)) return [{ value: 1 }]
          const ping = await run(Effect.tryPromise(() => redis.value.ping()).pipe(Effect.timeout(1_000)))
          return [{ value: ping._tag === "Right" ? 1 : 0 }]
        }
      })
      yield* registerGauge(metrics, {
        name: "ncod_event_subscribers",
        aggregator: "sum",
        help: "Live event subscribers connected to this master.",
        collect: async () => [{ value: await Effect.runPromise(bus.subscriberCount) }]
      })
      if (options.tlsNotAfter !== undefined) {
        const notAfter = options.tlsNotAfter.getTime() / 1000
        yield* registerGauge(metrics, {
          name: "ncod_tls_certificate_expiry_timestamp_seconds",
        aggregator: "first",
          help: "When the master's TLS certificate expires (Unix time).",
          collect: async () => [{ value: notAfter }]
        })
      }
      if (Option.isSome(options.backupStatusFile)) {
        const file = options.backupStatusFile.value
        yield* registerGauge(metrics, {
          name: "ncod_backup_last_success_timestamp_seconds",
        aggregator: "first",
          help: "When the last good base backup finished (Unix time), from the backup status file.",
          collect: async () => {
            try {
              const status = JSON.parse(await fs.promises.readFile(file, "utf8")) as { finished_unix?: unknown }
              return typeof status.finished_unix === "number" ? [{ value: status.finished_unix }] : []
            } catch {
              return []
            }
          }
        })
      }
    })
  )
