import { Data, Deferred, Effect, Option, Runtime } from "effect"
import cluster, { type Worker } from "node:cluster"
import * as prom from "prom-client"
import { type MasterConfig, resolvePaths } from "../config/MasterConfig.js"
import { databaseLayer, prepareSchema } from "../Database.js"
import { developmentKeys } from "../Master.js"
import { decodeFromWorker, encodeMessage, MetricsReply, WORKER_INDEX_ENV } from "./Messages.js"

/** Several workers need what they share: the database and Redis (caches, live events, lockouts). */
export class ClusterSetupError extends Data.TaggedError("ClusterSetupError")<{ readonly message: string }> {}

/**
 * A worker stopped before it served. `reported`: it printed its own one-line reason (exit code 1,
 * as the CLI does), so the primary adds nothing.
 */
export class WorkerStartFailed extends Data.TaggedError("WorkerStartFailed")<{
  readonly message: string
  readonly reported: boolean
}> {}

export interface RunningCluster {
  /** Worker 0's banner: every worker serves the same URL. */
  readonly banner: string
  readonly url: string
  readonly workers: number
}

const FIRST_BACKOFF_MS = 1_000
const MAX_BACKOFF_MS = 30_000
/** A worker that served this long before dying restarts after the first backoff again. */
const HEALTHY_AFTER_MS = 60_000
const STOP_GRACE_MS = 25_000

/**
 * The primary of NCOD_WORKERS > 1: prepares what must happen once (development keys, migrations),
 * forks the workers (worker 0 first, so a bad setting or a taken port is reported once, then the
 * rest together), restarts a worker that dies with a growing delay, answers workers' metrics
 * requests with the whole cluster's metrics, and on interruption stops the workers gracefully.
 * Connections are spread over the workers by Node's cluster module (round robin on Linux).
 */
export const runPrimary = (config: MasterConfig, options: { readonly dev: boolean }) =>
  Effect.gen(function* () {
    if (Option.isNone(config.databaseUrl) || Option.isNone(config.redisUrl)) {
      return yield* new ClusterSetupError({
        message: `NCOD_WORKERS=${config.workers} needs DATABASE_URL and REDIS_URL: the workers share the database, caches, lockouts and live events through them`
      })
    }
    yield* developmentKeys(config, options.dev)
    yield* prepareSchema(config.migrateOnStart).pipe(
      Effect.provide(databaseLayer({ ...config, databasePoolSize: 1 }, resolvePaths(config).embeddedDatabaseDir))
    )

    const runtime = yield* Effect.runtime<never>()
    const log = (effect: Effect.Effect<void>) => void Runtime.runFork(runtime)(effect)

    const own = new prom.Registry()
    const restarts = new prom.Counter({
      name: "ncod_worker_restarts_total",
      help: "Master worker processes restarted after they exited (NCOD_WORKERS above 1).",
      registers: [own]
    })
    const aggregator = new prom.AggregatorRegistry()

    let stopping = false
    const slots = Array.from({ length: config.workers }, () => ({
      worker: undefined as Worker | undefined,
      readyAt: undefined as number | undefined,
      everReady: false,
      backoffMs: FIRST_BACKOFF_MS
    }))
    const firstReady = new Map<number, Deferred.Deferred<{ url: string; banner: string }, WorkerStartFailed>>()

    const fork = (index: number) => {
      const slot = slots[index]!
      const worker = cluster.fork({ [WORKER_INDEX_ENV]: String(index) })
      slot.worker = worker
      slot.readyAt = undefined
      worker.on("message", (raw: unknown) => {
        const message = decodeFromWorker(raw)
        if (Option.isNone(message)) return
        if (message.value._tag === "ncod/WorkerReady") {
          const ready = message.value
          slot.readyAt = Date.now()
          if (slot.everReady) log(Effect.logInfo("master worker restarted").pipe(Effect.annotateLogs({ worker: index, pid: worker.process.pid })))
          slot.everReady = true
          const deferred = firstReady.get(index)
          if (deferred) Runtime.runSync(runtime)(Deferred.succeed(deferred, { url: ready.url, banner: ready.banner }))
          return
        }
        const id = message.value.id
        Promise.resolve()
          .then(async () => `${await aggregator.clusterMetrics()}\n${await own.metrics()}`)
          .then(
            (text) => new MetricsReply({ id, text }),
            (error: unknown) => new MetricsReply({ id, error: error instanceof Error ? error.message : String(error) })
          )
          .then((reply) => {
            if (worker.isConnected()) worker.send(encodeMessage(reply))
          })
      })
      worker.on("exit", (code, signal) => {
        if (slot.worker === worker) slot.worker = undefined
        if (stopping) return
        if (!slot.everReady) {
          const deferred = firstReady.get(index)
          if (deferred) {
            Runtime.runSync(runtime)(
              Deferred.fail(deferred, new WorkerStartFailed({ message: `master worker ${index} exited before it served (code ${code ?? signal})`, reported: code === 1 }))
            )
            return
          }
        }
        const servedMs = slot.readyAt === undefined ? 0 : Date.now() - slot.readyAt
        if (servedMs >= HEALTHY_AFTER_MS) slot.backoffMs = FIRST_BACKOFF_MS
        const delay = slot.backoffMs
        slot.backoffMs = Math.min(MAX_BACKOFF_MS, slot.backoffMs * 2)
        log(
          Effect.logWarning("master worker exited").pipe(
            Effect.annotateLogs({ worker: index, pid: worker.process.pid, code, signal, restartInMs: delay })
          )
        )
        setTimeout(() => {
          if (stopping) return
          restarts.inc()
          fork(index)
        }, delay).unref()
      })
    }

    yield* Effect.addFinalizer(() =>
      Effect.promise(async () => {
        stopping = true
        const running = slots.flatMap((slot) => (slot.worker && !slot.worker.isDead() ? [slot.worker] : []))
        await Promise.all(
          running.map(
            (worker) =>
              new Promise<void>((resolve) => {
                const force = setTimeout(() => worker.process.kill("SIGKILL"), STOP_GRACE_MS)
                worker.once("exit", () => {
                  clearTimeout(force)
                  resolve()
                })
                // the worker's own runtime turns SIGTERM into a graceful stop (open requests finish)
                worker.process.kill("SIGTERM")
              })
          )
        )
      })
    )

    const start = (index: number) =>
      Effect.gen(function* () {
        const deferred = yield* Deferred.make<{ url: string; banner: string }, WorkerStartFailed>()
        firstReady.set(index, deferred)
        fork(index)
        const ready = yield* Deferred.await(deferred)
        firstReady.delete(index)
        return ready
      })
    const first = yield* start(0)
    yield* Effect.forEach(slots.slice(1), (_, i) => start(i + 1), { concurrency: "unbounded", discard: true })
    return { banner: first.banner, url: first.url, workers: config.workers } satisfies RunningCluster
  })
