/** The bench's handle on its fleet workers: forks them, splits the slaves, and merges what they measured. */
import { type ChildProcess, fork } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { CollectReply, ConnectionMode, PhaseStats, WorkerCommand, WorkerReply } from "./fleet-protocol.js"
import { onInterrupt } from "./cleanup.js"
import { concat } from "./stats.js"

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "fleet-worker.ts")

export interface FleetOptions {
  readonly baseUrl: string
  readonly ca: string | undefined
  readonly mode: ConnectionMode
  readonly slaves: number
  readonly devices: number
  readonly workers: number
  /** Connections per worker (a cap on reports in flight from one worker). */
  readonly connections: number
  readonly timeoutMs: number
  readonly runTag: string
}

export interface MergedPhase {
  readonly latencyMs: Float64Array
  readonly lagMs: Float64Array
  readonly sent: number
  readonly outcomes: Record<string, number>
  readonly errors: Record<string, number>
  readonly unexpected: Record<string, number>
  readonly seconds: number
  readonly sendsPerTick: ReadonlyMap<number, number>
  readonly slowestPerSecond: ReadonlyMap<number, { readonly maxMs: number; readonly overOneSecond: number }>
  readonly changedLatencyMs: Float64Array
  readonly firstAt: number
}

const add = (into: Record<string, number>, from: Readonly<Record<string, number>>) => {
  for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + n
}

export const mergePhases = (parts: ReadonlyArray<PhaseStats | undefined>): MergedPhase => {
  const present = parts.filter((p): p is PhaseStats => p !== undefined)
  const outcomes: Record<string, number> = {}
  const errors: Record<string, number> = {}
  const unexpected: Record<string, number> = {}
  for (const p of present) {
    add(outcomes, p.outcomes)
    add(errors, p.errors)
    add(unexpected, p.unexpected)
  }
  const sendsPerTick = new Map<number, number>()
  for (const p of present) for (const [tick, n] of p.sendsPerTick) sendsPerTick.set(tick, (sendsPerTick.get(tick) ?? 0) + n)
  const slowestPerSecond = new Map<number, { maxMs: number; overOneSecond: number }>()
  for (const p of present)
    for (const [second, s] of p.slowestPerSecond) {
      const into = slowestPerSecond.get(second) ?? { maxMs: 0, overOneSecond: 0 }
      slowestPerSecond.set(second, { maxMs: Math.max(into.maxMs, s.maxMs), overOneSecond: into.overOneSecond + s.overOneSecond })
    }
  const firsts = present.map((p) => p.firstAt).filter((t) => t > 0)
  const lasts = present.map((p) => p.lastAt).filter((t) => t > 0)
  return {
    latencyMs: concat(present.map((p) => p.latencyMs)),
    lagMs: concat(present.map((p) => p.lagMs)),
    sent: present.reduce((n, p) => n + p.sent, 0),
    outcomes,
    errors,
    unexpected,
    seconds: firsts.length > 0 && lasts.length > 0 ? (Math.max(...lasts) - Math.min(...firsts)) / 1000 : 0,
    sendsPerTick,
    slowestPerSecond,
    changedLatencyMs: concat(present.map((p) => p.changedLatencyMs)),
    firstAt: firsts.length > 0 ? Math.min(...firsts) : 0
  }
}

class WorkerHandle {
  private nextId = 1
  private readonly waiting = new Map<number, { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void }>()

  constructor(readonly child: ChildProcess) {
    child.on("message", (reply: WorkerReply) => {
      const waiter = this.waiting.get(reply.id)
      this.waiting.delete(reply.id)
      if (reply.type === "failed") waiter?.reject(new Error(`fleet worker ${child.pid}: ${reply.message}`))
      else waiter?.resolve(reply)
    })
    child.on("exit", (code) => {
      for (const waiter of this.waiting.values()) waiter.reject(new Error(`fleet worker ${child.pid} exited with ${code}`))
      this.waiting.clear()
    })
  }

  send(command: WorkerCommand): Promise<WorkerReply> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject })
      this.child.send({ id, command })
    })
  }
}

export class FleetPool {
  private readonly forgetInterrupt: () => void

  private constructor(readonly options: FleetOptions, private readonly workers: ReadonlyArray<WorkerHandle>) {
    this.forgetInterrupt = onInterrupt(() => this.close())
  }

  get pids() {
    return this.workers.map((w) => w.child.pid!)
  }

  static async start(options: FleetOptions): Promise<FleetPool> {
    const per = Math.ceil(options.slaves / options.workers)
    const handles: Array<WorkerHandle> = []
    for (let w = 0; w < options.workers; w++) {
      const first = w * per
      const count = Math.max(0, Math.min(per, options.slaves - first))
      if (count === 0) break
      const child = fork(script, [], {
        execArgv: ["--conditions=@ncod/source", "--import", import.meta.resolve("tsx"), "--max-old-space-size=4096"],
        serialization: "advanced",
        stdio: ["ignore", "inherit", "inherit", "ipc"]
      })
      const handle = new WorkerHandle(child)
      await handle.send({
        type: "init",
        baseUrl: options.baseUrl,
        ca: options.ca,
        mode: options.mode,
        connections: options.connections,
        devices: options.devices,
        timeoutMs: options.timeoutMs,
        first,
        count,
        runTag: options.runTag
      })
      handles.push(handle)
    }
    return new FleetPool(options, handles)
  }

  async all(command: WorkerCommand) {
    await Promise.all(this.workers.map((w) => w.send(command)))
  }

  /** A command per worker (e.g. each with its own enrollment tokens). */
  async each(command: (workerIndex: number) => WorkerCommand) {
    await Promise.all(this.workers.map((w, i) => w.send(command(i))))
  }

  async collect(): Promise<ReadonlyArray<CollectReply>> {
    const replies = await Promise.all(this.workers.map((w) => w.send({ type: "collect" })))
    return replies.map((reply) => {
      if (reply.type !== "collected") throw new Error("fleet worker did not send its figures")
      return reply.data
    })
  }

  async close() {
    this.forgetInterrupt()
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.child.exitCode !== null) return resolve()
            w.child.once("exit", () => resolve())
            w.send({ type: "exit" }).catch(() => undefined)
            setTimeout(() => {
              if (w.child.exitCode === null) w.child.kill("SIGKILL")
            }, 10_000).unref()
          })
      )
    )
  }
}

/** Phase `name` merged across workers. */
export const phaseOf = (replies: ReadonlyArray<CollectReply>, name: string) => mergePhases(replies.map((r) => r.phases[name]))
