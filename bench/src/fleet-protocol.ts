/** Messages between the bench and its fleet worker processes (child_process IPC, advanced serialization). */

export type ConnectionMode = "fresh" | "reuse"

export interface WorkerInit {
  readonly type: "init"
  readonly baseUrl: string
  readonly ca: string | undefined
  /** fresh: a new TCP + TLS connection per report (TLS session resumed), as a slave reporting every 30 s gets; reuse: keep-alive pool. */
  readonly mode: ConnectionMode
  readonly connections: number
  readonly devices: number
  readonly timeoutMs: number
  /** Global index of this worker's first slave and how many it runs. */
  readonly first: number
  readonly count: number
  readonly runTag: string
}

export type WorkerCommand =
  | WorkerInit
  /** Enroll every slave; slave i (local) uses tokens[floor(i / perToken)] (a token admits at most 10,000). */
  | {
      readonly type: "enroll"
      readonly tokens: ReadonlyArray<string>
      readonly perToken: number
      readonly concurrency: number
      /** At most this many (of those not enrolled yet); all when absent. */
      readonly limit?: number
    }
  /** Fake identities, for pointing the same client at the bare Node server. */
  | { readonly type: "fake" }
  /** Report on the master's schedule from now on; first reports spread over `spreadSeconds`. */
  | { readonly type: "start"; readonly spreadSeconds: number }
  /** Label what follows (statistics are kept per phase) and set the chance per report of a plug/unplug. */
  | { readonly type: "phase"; readonly phase: string; readonly churn: number }
  /** These slaves stop reporting (global indexes). */
  | { readonly type: "silence"; readonly indexes: ReadonlyArray<number> }
  /** Stop every schedule and wait for reports in flight. */
  | { readonly type: "stop" }
  /** One report from each of these slaves now (all of them when `indexes` is null), `concurrency` at a time. */
  | { readonly type: "reportOnce"; readonly indexes: ReadonlyArray<number> | null; readonly concurrency: number }
  /** Closed loop: `concurrency` lanes report back to back for `seconds` (each slave in one lane only). */
  | { readonly type: "probe"; readonly concurrency: number; readonly seconds: number }
  | { readonly type: "collect" }
  | { readonly type: "exit" }

export interface PhaseStats {
  /** Report round trips that got an answer (ms), as the slave sees them: connect, TLS, request, answer. */
  readonly latencyMs: Float64Array
  /** How late reports left against their schedule (ms): large values mean the client, not the master, was slow. */
  readonly lagMs: Float64Array
  readonly sent: number
  readonly outcomes: Readonly<Record<string, number>>
  readonly errors: Readonly<Record<string, number>>
  /** Reports whose outcome was not what the slave's own change history implies. */
  readonly unexpected: Readonly<Record<string, number>>
  readonly firstAt: number
  readonly lastAt: number
  /** Reports sent per 100 ms window (epoch ms / 100 → count): how bunched the fleet's reports are. */
  readonly sendsPerTick: ReadonlyMap<number, number>
  /** Per second of sending (epoch s): the slowest answer (ms) and how many took over a second — when the tail happened. */
  readonly slowestPerSecond: ReadonlyMap<number, { readonly maxMs: number; readonly overOneSecond: number }>
  /** Round trips (ms) of reports the master answered "changed" (the full path): the tail of the rest can hide them. */
  readonly changedLatencyMs: Float64Array
}

export interface EnrollStats {
  readonly enrolled: number
  readonly errors: Readonly<Record<string, number>>
  readonly latencyMs: Float64Array
  readonly seconds: number
}

export interface CollectReply {
  readonly phases: Readonly<Record<string, PhaseStats>>
  readonly enroll: EnrollStats | undefined
  readonly slaveIds: ReadonlyArray<string>
  /** Last sequence number the master acknowledged, per slave (0: none). */
  readonly lastAcked: Float64Array
  /** When (epoch ms) that acknowledgement arrived. */
  readonly lastAckAt: Float64Array
  readonly pid: number
}

export type WorkerReply =
  | { readonly id: number; readonly type: "done" }
  | { readonly id: number; readonly type: "collected"; readonly data: CollectReply }
  | { readonly id: number; readonly type: "failed"; readonly message: string }
