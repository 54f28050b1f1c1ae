/**
 * A fleet worker: one process running a slice of the simulated slaves. Each slave enrolls with a
 * real token and reports demo devices through the real HTTP API on the schedule the master gives
 * it, plugging and unplugging now and then — the wire behaviour of core's SimulatedSlave, written
 * with undici and precomputed state so that one process can drive tens of thousands of slaves.
 * Started by fleet-pool.ts with child_process.fork.
 */
import { demoDevicesFor } from "@ncod/core"
import { backoffDelayMs, defaultSettings as AGENT_SETTINGS, nextReportDelayMs } from "@ncod/slave"
import { randomUUID } from "node:crypto"
import * as tls from "node:tls"
import { Agent, request } from "undici"
import type { CollectReply, EnrollStats, PhaseStats, WorkerCommand, WorkerInit, WorkerReply } from "./fleet-protocol.js"
import { mapLimit } from "./http.js"
import { Samples } from "./stats.js"

interface Phase {
  readonly latency: Samples
  readonly lag: Samples
  sent: number
  readonly outcomes: Record<string, number>
  readonly errors: Record<string, number>
  readonly unexpected: Record<string, number>
  firstAt: number
  lastAt: number
  readonly sendsPerTick: Map<number, number>
  readonly slowestPerSecond: Map<number, { maxMs: number; overOneSecond: number }>
  readonly changedLatency: Samples
}

const newPhase = (): Phase => ({ latency: new Samples(), lag: new Samples(), sent: 0, outcomes: {}, errors: {}, unexpected: {}, firstAt: 0, lastAt: 0, sendsPerTick: new Map(), slowestPerSecond: new Map(), changedLatency: new Samples() })
const bump = (record: Record<string, number>, key: string) => (record[key] = (record[key] ?? 0) + 1)

/** The window in which sends are counted, to see how bunched they are. */
const TICK_MS = 100

/** What the slave expects the master to say about its next report. */
const EXPECT_UNCHANGED = 0
const EXPECT_CHANGED = 1
const EXPECT_EITHER = 2

let init: WorkerInit
let dispatcher: Agent
let ids: Array<string> = []
let auth: Array<string> = []
let seq = new Float64Array(0)
let lastAcked = new Float64Array(0)
let lastAckAt = new Float64Array(0)
/** Failed reports in a row, per slave: the agent's backoff attempt. */
let failures = new Uint16Array(0)
let present = new Uint8Array(0)
let expect = new Uint8Array(0)
let silenced = new Uint8Array(0)
/** 1 while a slave is in its report loop (scheduled or reporting). */
let looping = new Uint8Array(0)
let timers: Array<NodeJS.Timeout | undefined> = []
let running = false
let phaseName = "setup"
let churn = 0
const phases = new Map<string, Phase>()
let enrollStats: EnrollStats | undefined
let inflight = 0
let drained: (() => void) | undefined

const phase = () => {
  let p = phases.get(phaseName)
  if (!p) phases.set(phaseName, (p = newPhase()))
  return p
}

const slaveName = (i: number) => `bench-${init.first + i}`

const body = (i: number, n: number) => {
  const name = slaveName(i)
  const devices = []
  const models = demoDevicesFor(init.first + i, init.devices)
  for (let d = 0; d < models.length; d++) {
    if (present[i * init.devices + d] === 0) continue
    const m = models[d]!
    devices.push({
      vhAddress: `${name}.${d + 1}`,
      vendorId: m.vendorId,
      productId: m.productId,
      manufacturer: m.manufacturer,
      product: m.product,
      serial: m.serial,
      busPath: m.busPath,
      speed: m.speed,
      deviceClass: m.deviceClass,
      nickname: null,
      boundClient: null
    })
  }
  return JSON.stringify({
    seq: n,
    agentVersion: "bench",
    accessMode: "advisory",
    degraded: false,
    server: { name, version: "bench", licensed: false, maxDevices: null },
    devices
  })
}

const errorKey = (error: unknown) => {
  const e = error as { code?: string; name?: string; message?: string }
  return e.code ?? e.name ?? String(e.message ?? error)
}

/** One report of slave `i`; returns the master's next interval (s), or undefined when it failed. */
const report = async (i: number, stats: Phase): Promise<number | undefined> => {
  const n = ++seq[i]!
  const payload = body(i, n)
  const expected = expect[i]!
  inflight++
  stats.sent++
  const started = performance.now()
  const now = Date.now()
  if (stats.firstAt === 0) stats.firstAt = now
  const tick = Math.floor(now / TICK_MS)
  stats.sendsPerTick.set(tick, (stats.sendsPerTick.get(tick) ?? 0) + 1)
  try {
    const response = await request(`${init.baseUrl}/api/v1/slaves/${ids[i]}/reports`, {
      method: "POST",
      headers: { authorization: auth[i]!, "content-type": "application/json" },
      body: payload,
      dispatcher,
      reset: init.mode === "fresh"
    })
    const text = await response.body.text()
    const ms = performance.now() - started
    stats.lastAt = Date.now()
    if (response.statusCode !== 200) {
      let tag = ""
      try {
        tag = ` ${(JSON.parse(text) as { _tag?: string })._tag ?? ""}`
      } catch {
        // not JSON
      }
      bump(stats.errors, `http ${response.statusCode}${tag}`.trim())
      expect[i] = EXPECT_EITHER
      return undefined
    }
    const ack = JSON.parse(text) as { outcome: string; nextReportInSeconds: number }
    stats.latency.add(ms)
    if (ack.outcome === "changed") stats.changedLatency.add(ms)
    const second = Math.floor(now / 1000)
    const slowest = stats.slowestPerSecond.get(second) ?? { maxMs: 0, overOneSecond: 0 }
    slowest.maxMs = Math.max(slowest.maxMs, ms)
    if (ms > 1000) slowest.overOneSecond++
    stats.slowestPerSecond.set(second, slowest)
    bump(stats.outcomes, ack.outcome)
    if (expected !== EXPECT_EITHER) {
      const wanted = expected === EXPECT_CHANGED ? "changed" : "unchanged"
      if (ack.outcome !== wanted) bump(stats.unexpected, `${wanted}→${ack.outcome}`)
    }
    expect[i] = EXPECT_UNCHANGED
    lastAcked[i] = n
    lastAckAt[i] = Date.now()
    return ack.nextReportInSeconds
  } catch (error) {
    stats.lastAt = Date.now()
    bump(stats.errors, errorKey(error))
    expect[i] = EXPECT_EITHER
    return undefined
  } finally {
    inflight--
    if (inflight === 0 && drained) drained()
  }
}

const toggleOne = (i: number) => {
  const d = Math.floor(Math.random() * init.devices)
  const at = i * init.devices + d
  present[at] = present[at] === 1 ? 0 : 1
  if (expect[i] === EXPECT_UNCHANGED) expect[i] = EXPECT_CHANGED
}

const schedule = (i: number, delayMs: number) => {
  const due = performance.now() + delayMs
  timers[i] = setTimeout(() => void fire(i, due), delayMs)
}

const fire = async (i: number, due: number) => {
  timers[i] = undefined
  if (!running || silenced[i] === 1) {
    looping[i] = 0
    return
  }
  const stats = phase()
  stats.lag.add(performance.now() - due)
  if (churn > 0 && init.devices > 0 && Math.random() < churn) toggleOne(i)
  const sentAt = performance.now()
  const next = await report(i, stats)
  if (!running || silenced[i] === 1) {
    looping[i] = 0
    return
  }
  // as the agent does: the master's interval, counted from when the report was sent; after failures
  // its jittered backoff, so a fleet that lost its master does not come back in lockstep
  if (next !== undefined) {
    failures[i] = 0
    schedule(i, nextReportDelayMs(sentAt, performance.now(), next))
  } else {
    schedule(i, backoffDelayMs(failures[i]!++, AGENT_SETTINGS.backoffBaseSeconds, AGENT_SETTINGS.backoffCapSeconds))
  }
}

const setup = (message: WorkerInit) => {
  init = message
  dispatcher = new Agent({
    connections: message.connections,
    pipelining: 1,
    keepAliveTimeout: 4_000,
    headersTimeout: message.timeoutMs,
    bodyTimeout: message.timeoutMs,
    // one secure context for every connection: passing `ca` would build a new one per connection
    connect: { timeout: message.timeoutMs, ...(message.ca === undefined ? {} : { secureContext: tls.createSecureContext({ ca: message.ca }) }) }
  })
  const count = message.count
  ids = new Array<string>(count).fill("")
  auth = new Array<string>(count).fill("")
  seq = new Float64Array(count)
  lastAcked = new Float64Array(count)
  lastAckAt = new Float64Array(count)
  failures = new Uint16Array(count)
  present = new Uint8Array(count * message.devices).fill(1)
  expect = new Uint8Array(count).fill(EXPECT_CHANGED)
  silenced = new Uint8Array(count)
  looping = new Uint8Array(count)
  timers = new Array(count).fill(undefined)
}

const enrollLatency = new Samples()
const enrollErrors: Record<string, number> = {}
let enrolled = 0
let enrollSeconds = 0

/** Enrolls up to `limit` slaves not enrolled yet (in index order). */
const enroll = async (tokens: ReadonlyArray<string>, perToken: number, concurrency: number, limit: number) => {
  const latency = enrollLatency
  const errors = enrollErrors
  const started = performance.now()
  const todo = [...ids.keys()].filter((i) => ids[i] === "").slice(0, limit)
  await mapLimit(todo, concurrency, async (i) => {
    const name = slaveName(i)
    const t0 = performance.now()
    try {
      const response = await request(`${init.baseUrl}/api/v1/slaves/enroll`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          token: tokens[Math.floor(i / perToken)],
          name,
          host: `${name}.bench.local`,
          vhPort: 7575,
          fingerprint: `bench-${init.runTag}-${init.first + i}`,
          agentVersion: "bench",
          labels: { bench: "true" }
        }),
        dispatcher
      })
      const text = await response.body.text()
      if (response.statusCode !== 200) {
        bump(errors, `http ${response.statusCode}: ${text.slice(0, 120)}`)
        return
      }
      const enrollment = JSON.parse(text) as { slaveId: string; credential: string }
      ids[i] = enrollment.slaveId
      auth[i] = `Bearer ${enrollment.credential}`
      latency.add(performance.now() - t0)
      enrolled++
    } catch (error) {
      bump(errors, errorKey(error))
    }
  })
  enrollSeconds += (performance.now() - started) / 1000
  enrollStats = { enrolled, errors, latencyMs: latency.toArray(), seconds: enrollSeconds }
}

const local = (global: number) => global - init.first
const mine = (indexes: ReadonlyArray<number>) => indexes.map(local).filter((i) => i >= 0 && i < init.count)

const stop = async () => {
  running = false
  for (let i = 0; i < timers.length; i++) {
    if (timers[i]) clearTimeout(timers[i])
    timers[i] = undefined
  }
  looping.fill(0)
  if (inflight > 0) await new Promise<void>((resolve) => (drained = resolve))
  drained = undefined
}

const probe = async (concurrency: number, seconds: number) => {
  const stats = phase()
  const deadline = performance.now() + seconds * 1000
  const usable = [...ids.keys()].filter((i) => ids[i] !== "")
  const lanes = Math.max(1, Math.min(concurrency, usable.length))
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      // each slave belongs to one lane, so its sequence numbers stay in order
      const own = usable.filter((_, k) => k % lanes === lane)
      for (let k = 0; performance.now() < deadline; k++) await report(own[k % own.length]!, stats)
    })
  )
}

const handle = async (command: WorkerCommand): Promise<CollectReply | undefined> => {
  switch (command.type) {
    case "init":
      setup(command)
      return
    case "enroll":
      await enroll(command.tokens, command.perToken, command.concurrency, command.limit ?? Number.MAX_SAFE_INTEGER)
      return
    case "fake":
      for (let i = 0; i < ids.length; i++) {
        ids[i] = randomUUID()
        auth[i] = "Bearer bench-fake"
      }
      return
    case "start": {
      // slaves already in their loop keep it: start twice to add slaves enrolled since
      running = true
      for (let i = 0; i < ids.length; i++) {
        if (ids[i] === "" || silenced[i] === 1 || looping[i] === 1) continue
        looping[i] = 1
        schedule(i, Math.random() * command.spreadSeconds * 1000)
      }
      return
    }
    case "phase":
      phaseName = command.phase
      churn = command.churn
      return
    case "silence":
      for (const i of mine(command.indexes)) {
        silenced[i] = 1
        if (timers[i]) clearTimeout(timers[i])
        timers[i] = undefined
        looping[i] = 0
      }
      return
    case "stop":
      await stop()
      return
    case "reportOnce": {
      const targets = command.indexes === null ? [...ids.keys()].filter((i) => ids[i] !== "") : mine(command.indexes)
      const stats = phase()
      for (const i of targets) {
        silenced[i] = 0
        if (command.indexes !== null) expect[i] = EXPECT_CHANGED
      }
      await mapLimit(targets, command.concurrency, (i) => report(i, stats))
      return
    }
    case "probe":
      await probe(command.concurrency, command.seconds)
      return
    case "collect": {
      const out: Record<string, PhaseStats> = {}
      for (const [name, p] of phases) {
        out[name] = {
          latencyMs: p.latency.toArray(),
          lagMs: p.lag.toArray(),
          sent: p.sent,
          outcomes: p.outcomes,
          errors: p.errors,
          unexpected: p.unexpected,
          firstAt: p.firstAt,
          lastAt: p.lastAt,
          sendsPerTick: p.sendsPerTick,
          slowestPerSecond: p.slowestPerSecond,
          changedLatencyMs: p.changedLatency.toArray()
        }
      }
      return { phases: out, enroll: enrollStats, slaveIds: ids, lastAcked, lastAckAt, pid: process.pid }
    }
    case "exit":
      await stop()
      await dispatcher?.close().catch(() => undefined)
      process.exit(0)
  }
}

process.on("message", (message: { id: number; command: WorkerCommand }) => {
  handle(message.command).then(
    (data) => {
      const reply: WorkerReply = data === undefined ? { id: message.id, type: "done" } : { id: message.id, type: "collected", data }
      process.send!(reply)
    },
    (error: unknown) => process.send!({ id: message.id, type: "failed", message: String((error as Error)?.stack ?? error) } satisfies WorkerReply)
  )
})
process.on("disconnect", () => process.exit(0))
