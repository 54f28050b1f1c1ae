/**
 * The master's own V8, through the inspector protocol: a forced GC before reading the heap (so
 * memory per slave is not GC timing noise) and CPU profiles of exactly the measured window.
 */
import { WebSocket } from "undici"

export class Inspector {
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>()

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } }
      if (message.id === undefined) return
      const waiter = this.pending.get(message.id)
      this.pending.delete(message.id)
      if (message.error) waiter?.reject(new Error(message.error.message))
      else waiter?.resolve(message.result)
    })
  }

  static connect(url: string): Promise<Inspector> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url)
      socket.addEventListener("open", () => resolve(new Inspector(socket)))
      socket.addEventListener("error", () => reject(new Error(`cannot reach the inspector at ${url}`)))
    })
  }

  send<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      this.socket.send(JSON.stringify({ id, method, params }))
    })
  }

  async evaluate<T>(expression: string): Promise<T> {
    const result = await this.send<{ result: { value: T } }>("Runtime.evaluate", { expression, returnByValue: true })
    return result.result.value
  }

  /** process.memoryUsage() right after a full GC. */
  async memoryAfterGc() {
    await this.send("HeapProfiler.collectGarbage")
    await this.send("HeapProfiler.collectGarbage")
    return this.evaluate<{ rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number }>(
      "JSON.parse(JSON.stringify(process.memoryUsage()))"
    )
  }

  async startProfile(samplingMicros = 500) {
    await this.send("Profiler.enable")
    await this.send("Profiler.setSamplingInterval", { interval: samplingMicros })
    await this.send("Profiler.start")
  }

  async stopProfile(): Promise<CpuProfile> {
    const { profile } = await this.send<{ profile: CpuProfile }>("Profiler.stop")
    await this.send("Profiler.disable")
    return profile
  }

  close() {
    this.socket.close()
  }
}

export interface CpuProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly hitCount?: number
  readonly children?: ReadonlyArray<number>
}

export interface CpuProfile {
  readonly nodes: ReadonlyArray<CpuProfileNode>
  readonly startTime: number
  readonly endTime: number
  readonly samples?: ReadonlyArray<number>
  readonly timeDeltas?: ReadonlyArray<number>
}

/** Where a frame's code comes from: the package under node_modules, ncod's own folder, or Node. */
export const originOf = (url: string, functionName: string): string => {
  if (url === "") return functionName === "(garbage collector)" || functionName === "(idle)" || functionName === "(program)" ? functionName : "(native)"
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (modules) return modules[1]!
  const own = /\/(core|sql|master|bench|slave|client)\/src\//.exec(url)
  if (own) return `ncod/${own[1]}`
  if (url.startsWith("node:")) return "node"
  return url
}

/** Self time by function and by origin, in % of the profile's samples (sampled time, not wall time). */
export const summarizeProfile = (profile: CpuProfile, top = 25) => {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const hits = new Map<number, number>()
  if (profile.samples) for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1)
  else for (const node of profile.nodes) hits.set(node.id, node.hitCount ?? 0)
  let total = 0
  for (const n of hits.values()) total += n
  const byFunction = new Map<string, number>()
  const byOrigin = new Map<string, number>()
  for (const [id, n] of hits) {
    const frame = byId.get(id)?.callFrame
    if (!frame) continue
    const file = frame.url.replace(/^file:\/\//, "").replace(/^.*\/(node_modules|work\/main)\//, "")
    const key = `${frame.functionName || "(anonymous)"} ${file}:${frame.lineNumber + 1}`
    byFunction.set(key, (byFunction.get(key) ?? 0) + n)
    const origin = originOf(frame.url, frame.functionName)
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + n)
  }
  const percent = (n: number) => Math.round((n / Math.max(1, total)) * 1000) / 10
  const sorted = (map: Map<string, number>) => [...map.entries()].sort((a, b) => b[1] - a[1])
  return {
    samples: total,
    seconds: (profile.endTime - profile.startTime) / 1e6,
    byOrigin: sorted(byOrigin).slice(0, top).map(([origin, n]) => ({ origin, percent: percent(n) })),
    byFunction: sorted(byFunction).slice(0, top).map(([fn, n]) => ({ function: fn, percent: percent(n) }))
  }
}
