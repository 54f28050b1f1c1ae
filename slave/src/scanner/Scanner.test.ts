import { describe, expect, it } from "@effect/vitest"
import { VhClient } from "@ncod/core/vh-node"
import { simClientDaemonScoped, simUsbServerScoped } from "@ncod/core/vh-sim"
import { Effect, Logger, SubscriptionRef } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { makeHealth } from "../agent/Health.js"
import { makeSignals } from "../agent/Signals.js"
import { defaultSettings } from "../config/Settings.js"
import { makeScanner } from "./Scanner.js"

const odd = [
  { vendorId: "0403", productId: "6001", product: "FT232R USB UART", manufacturer: "FTDI", serial: "A50285BI", busPath: "1-1.2" },
  { vendorId: "1a2b", productId: "3c4d", product: "温度传感器 🌡", manufacturer: "Ünïcødé", serial: "Ñ-001", busPath: "2-1" },
  { vendorId: "0a2b", productId: "0a2b", product: "", busPath: "1-1.5" },
  { vendorId: "1234", productId: "5678", product: "x".repeat(400), manufacturer: "m\u0007\u001b[2J", busPath: "1-1.6" }
]

/** A scanner on a simulated vhusbd and client daemon, with every log message collected. */
const setup = Effect.gen(function* () {
  const dir = yield* Effect.acquireRelease(
    Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "ncod-scan-"))),
    (d) => Effect.sync(() => fs.rmSync(d, { recursive: true, force: true }))
  )
  const sysfsDir = path.join(dir, "sys")
  const server = yield* simUsbServerScoped({ name: "Lab Hub", hostname: "labhub", devices: odd, sysfsDir })
  const commandPipe = path.join(dir, "cmd")
  const responsePipe = path.join(dir, "resp")
  const daemon = yield* simClientDaemonScoped({ fullName: "", username: "agent", hostname: "lab", commandPipe, responsePipe, hubs: [`127.0.0.1:${server.port}`], reconnectMillis: 100 })
  yield* Effect.promise(async () => {
    for (let i = 0; i < 100 && !daemon.hubStates().some((hub) => hub.state === "connected"); i++) await new Promise((r) => setTimeout(r, 20))
  })
  const settings = { ...defaultSettings, sysfsDir, vhusbdPort: server.port, vhusbdConfigFile: null }
  const health = yield* makeHealth("test")
  const signals = yield* makeSignals
  const vh = yield* VhClient.pipe(Effect.provide(VhClient.layerFifo({ commandPipe, responsePipe, timeout: "1 second" })))
  const scanner = yield* makeScanner({ settings, health, signals, vh, hookName: "ncod-slave-hook" })
  return { server, daemon, health, scanner }
})

const collectLogs = () => {
  const messages: Array<string> = []
  const logger = Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ message }) => void messages.push((Array.isArray(message) ? message : [message]).join(" ")))
  )
  return { messages, logger }
}

describe("the scanner on a simulated vhusbd", () => {
  it.scopedLive("lists odd device names cleaned and bounded, with sysfs data", () =>
    Effect.gen(function* () {
      const { scanner } = yield* setup
      yield* scanner.scanOnce
      const state = yield* SubscriptionRef.get(scanner.state)
      expect(state.degraded).toBe(false)
      expect(state.accessMode).toBe("enforced")
      expect(state.server).toMatchObject({ name: "Lab Hub", licensed: true })
      const byPath = new Map(state.devices.map((d) => [d.busPath, d]))
      expect(byPath.get("2-1")).toMatchObject({ product: "温度传感器 🌡", manufacturer: "Ünïcødé", serial: "Ñ-001" })
      expect(byPath.get("1-1.5")).toMatchObject({ product: null, vhAddress: "labhub.115" })
      expect(byPath.get("1-1.6")!.product).toHaveLength(256)
      expect(byPath.get("1-1.6")!.manufacturer).toBe("m [2J")
    })
  )

  it.scopedLive("keeps the last devices, marks itself degraded and logs once when the client answers garbage or stops, then recovers", () =>
    Effect.gen(function* () {
      const { daemon, health, scanner } = yield* setup
      const { logger, messages } = collectLogs()
      const scan = scanner.scanOnce.pipe(Effect.provide(logger))
      yield* scan
      daemon.faults.garble = "noise"
      yield* scan
      yield* scan
      let state = yield* SubscriptionRef.get(scanner.state)
      expect(state.degraded).toBe(true)
      expect(state.devices).toHaveLength(4)
      expect((yield* health.get).vhClient).toMatchObject({ state: "down", detail: "the VirtualHere client answered something unreadable" })
      daemon.faults.garble = "truncate"
      yield* scan
      daemon.faults.garble = "none"
      yield* Effect.promise(() => daemon.stopListening())
      yield* scan
      yield* scan
      expect((yield* health.get).vhClient.state).toBe("down")
      expect(messages.filter((m) => m === "VirtualHere client not answering")).toHaveLength(1)
      yield* Effect.promise(() => daemon.resumeListening())
      yield* scan
      state = yield* SubscriptionRef.get(scanner.state)
      expect(state.degraded).toBe(false)
      expect(messages.filter((m) => m === "VirtualHere client answering")).toHaveLength(2)
    })
  )

  it.scopedLive("logs a plugged and an unplugged device once each", () =>
    Effect.gen(function* () {
      const { scanner, server } = yield* setup
      const { logger, messages } = collectLogs()
      const scan = scanner.scanOnce.pipe(Effect.provide(logger))
      yield* scan
      yield* Effect.promise(() => server.unplug("1-1.2"))
      yield* Effect.sleep("100 millis")
      yield* scan
      yield* scan
      yield* Effect.promise(() => server.plug(odd[0]!))
      yield* Effect.sleep("100 millis")
      yield* scan
      yield* scan
      expect(messages.filter((m) => m.startsWith("device "))).toEqual(["device unplugged", "device plugged"])
    })
  )
})
