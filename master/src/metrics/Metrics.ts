import { Context, Effect, Layer } from "effect"
import cluster from "node:cluster"
import * as prom from "prom-client"
import { clusterExposition } from "../cluster/Worker.js"

/**
 * Every metric the master exports, in one registry. Names follow Prometheus conventions (base units,
 * `_total` counters, snake_case); the Grafana dashboard and alert rules in deploy/ use exactly these.
 */
export const makeMetrics = () => {
  const registry = new prom.Registry()
  prom.collectDefaultMetrics({ register: registry, prefix: "ncod_" })
  // prom-client names these gauges `_total`, which Prometheus reserves for counters (promtool
  // refuses them); the same information stays in ncod_nodejs_active_resources{type}.
  for (const kind of ["handles", "requests", "resources"] as const) {
    registry.removeSingleMetric(`ncod_nodejs_active_${kind}_total`)
  }

  const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
  return {
    registry,
    /** The text `/metrics` answers: this process's registry, or in a worker the whole cluster's. */
    exposition: cluster.isWorker ? clusterExposition(registry) : () => registry.metrics(),
    reportsIngested: new prom.Counter({
      name: "ncod_reports_ingested_total",
      help: "Slave reports processed, by outcome: changed (devices written), unchanged (heartbeat only), duplicate or stale (ignored).",
      labelNames: ["outcome"] as const,
      registers: [registry]
    }),
    reportsRejected: new prom.Counter({
      name: "ncod_reports_rejected_total",
      help: "Slave reports refused before processing, by reason.",
      labelNames: ["reason"] as const,
      registers: [registry]
    }),
    ingestDuration: new prom.Histogram({
      name: "ncod_report_ingest_duration_seconds",
      help: "Time from receiving a slave report to its answer, including the database write when devices changed.",
      buckets: latencyBuckets,
      registers: [registry]
    }),
    httpDuration: new prom.Histogram({
      name: "ncod_http_request_duration_seconds",
      help: "HTTP request duration by route template, method and status code.",
      labelNames: ["route", "method", "status"] as const,
      buckets: latencyBuckets,
      registers: [registry]
    }),
    cacheRequests: new prom.Counter({
      name: "ncod_cache_requests_total",
      help: "Inventory cache lookups by result (hit or miss).",
      labelNames: ["result"] as const,
      registers: [registry]
    }),
    actorRestarts: new prom.Counter({
      name: "ncod_actor_restarts_total",
      help: "Supervised actors (slave actors, sweepers) restarted after a failure.",
      labelNames: ["actor"] as const,
      registers: [registry]
    }),
    slaveTransitions: new prom.Counter({
      name: "ncod_slave_transitions_total",
      help: "Slaves going online or offline.",
      labelNames: ["to"] as const,
      registers: [registry]
    }),
    eventsPublished: new prom.Counter({
      name: "ncod_events_published_total",
      help: "Live events published by this master, by type.",
      labelNames: ["type"] as const,
      registers: [registry]
    })
  }
}

export type MetricsShape = ReturnType<typeof makeMetrics>

export class Metrics extends Context.Tag("@ncod/master/Metrics")<Metrics, MetricsShape>() {}

export const MetricsLive = Layer.sync(Metrics, makeMetrics)

/** Adds a gauge whose value is read when Prometheus scrapes (counts from the database, pool sizes). */
export const registerGauge = (
  metrics: MetricsShape,
  options: {
    name: string
    help: string
    labelNames?: ReadonlyArray<string>
    /**
     * How workers' values combine (NCOD_WORKERS): "sum" for what each process has (its pool), "first"
     * for what every worker reads from the same database, "min" for up/down checks.
     */
    aggregator: prom.Aggregator
    collect: () => Promise<ReadonlyArray<{ labels?: Record<string, string>; value: number }>> }
) =>
  Effect.sync(
    () =>
      new prom.Gauge({
        name: options.name,
        help: options.help,
        labelNames: options.labelNames ?? [],
        aggregator: options.aggregator,
        registers: [metrics.registry],
        async collect() {
          this.reset()
          for (const sample of await options.collect()) {
            if (sample.labels) this.set(sample.labels, sample.value)
            else this.set(sample.value)
          }
        }
      })
  )
