import { Effect, Option } from "effect"
import cluster from "node:cluster"
import * as prom from "prom-client"
import { decodeMetricsReply, encodeMessage, type MetricsReply, MetricsRequest, WORKER_INDEX_ENV, WorkerReady } from "./Messages.js"

/** This process's index among the master's workers; None outside a cluster. */
export const workerIndex = (): Option.Option<number> =>
  cluster.isWorker ? Option.some(Number(process.env[WORKER_INDEX_ENV] ?? "0")) : Option.none()

/** Tells the primary this worker serves (the banner is printed once, by the primary). */
export const announceReady = (url: string, banner: string) =>
  Effect.sync(() => void process.send?.(encodeMessage(new WorkerReady({ url, banner }))))

const pending = new Map<number, (reply: MetricsReply) => void>()
let nextRequestId = 0
let listening = false

/**
 * Metrics of the whole cluster for a worker's `/metrics` answer: the primary asks every worker for
 * its registry (prom-client's AggregatorRegistry sums counters and histograms, and combines gauges
 * as each one says) and adds its own.
 */
export const clusterExposition = (registry: prom.Registry): (() => Promise<string>) => {
  prom.AggregatorRegistry.setRegistries([registry])
  // constructing one installs prom-client's listener that answers the primary with `registry`
  new prom.AggregatorRegistry()
  if (!listening) {
    listening = true
    process.on("message", (message) => {
      const reply = decodeMetricsReply(message)
      if (Option.isNone(reply)) return
      const resolve = pending.get(reply.value.id)
      pending.delete(reply.value.id)
      resolve?.(reply.value)
    })
  }
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = nextRequestId++
      const timer = setTimeout(() => {
        pending.delete(id)
        reject(new Error("the primary did not answer within 10 s"))
      }, 10_000)
      pending.set(id, (reply) => {
        clearTimeout(timer)
        if (reply.text !== undefined) resolve(reply.text)
        else reject(new Error(reply.error ?? "no metrics"))
      })
      process.send?.(encodeMessage(new MetricsRequest({ id })))
    })
}
