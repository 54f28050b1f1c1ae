import { Schema } from "effect"

/**
 * What the primary and its workers say to each other over the cluster's IPC channel. prom-client
 * uses the same channel for its own messages (`type: "prom-client:…"`); ours carry a `_tag`.
 */
export const WORKER_INDEX_ENV = "NCOD_WORKER_INDEX"

/** A worker is serving; the primary prints worker 0's banner once every worker is ready. */
export class WorkerReady extends Schema.TaggedClass<WorkerReady>()("ncod/WorkerReady", {
  url: Schema.String,
  banner: Schema.String
}) {}

/** A worker asks for the metrics of every worker, for the `/metrics` request it is answering. */
export class MetricsRequest extends Schema.TaggedClass<MetricsRequest>()("ncod/MetricsRequest", {
  id: Schema.Number
}) {}

/** The primary's answer: the aggregated exposition text, or why there is none. */
export class MetricsReply extends Schema.TaggedClass<MetricsReply>()("ncod/MetricsReply", {
  id: Schema.Number,
  text: Schema.optional(Schema.String),
  error: Schema.optional(Schema.String)
}) {}

export const FromWorker = Schema.Union(WorkerReady, MetricsRequest)
export const decodeFromWorker = Schema.decodeUnknownOption(FromWorker)
export const decodeMetricsReply = Schema.decodeUnknownOption(MetricsReply)
export const encodeMessage = Schema.encodeSync(Schema.Union(WorkerReady, MetricsRequest, MetricsReply))
