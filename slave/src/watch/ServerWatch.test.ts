import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Logger } from "effect"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { makeHealth } from "../agent/Health.js"
import { makeSignals } from "../agent/Signals.js"
import { defaultSettings } from "../config/Settings.js"
import { makeServerWatch, probeTcp } from "./ServerWatch.js"

const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })

describe("watching vhusbd", () => {
  it.live("tells a listening port from a closed one", () =>
    Effect.gen(function* () {
      const server = net.createServer()
      yield* Effect.promise(() => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve)))
      expect(yield* probeTcp("127.0.0.1", (server.address() as net.AddressInfo).port, 1_000)).toBeNull()
      server.close()
      expect(yield* probeTcp("127.0.0.1", yield* Effect.promise(closedPort), 1_000)).toMatch(/ECONNREFUSED/)
    })
  )

  it.live("logs vhusbd down once, and restarts it through the configured command no more often than the cooldown", () =>
    Effect.gen(function* () {
      const marker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ncod-watch-")), "restarts")
      const messages: Array<string> = []
      const logger = Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => void messages.push(String(message))))
      const health = yield* makeHealth("test")
      const watch = makeServerWatch({
        health,
        signals: yield* makeSignals,
        settings: {
          ...defaultSettings,
          vhusbdPort: yield* Effect.promise(closedPort),
          watchIntervalSeconds: 0.05,
          vhusbdRestartCommand: ["sh", "-c", `echo restarted >> ${marker}`],
          vhusbdRestartAfterSeconds: 0.2,
          vhusbdRestartCooldownSeconds: 60
        }
      })
      const fiber = yield* Effect.fork(watch.run.pipe(Effect.provide(logger)))
      yield* Effect.sleep("1 second")
      yield* Fiber.interrupt(fiber)
      expect(fs.readFileSync(marker, "utf8")).toBe("restarted\n")
      expect(messages.filter((m) => m.startsWith("vhusbd down"))).toHaveLength(1)
      expect(messages.filter((m) => m === "restarting vhusbd")).toHaveLength(1)
      expect((yield* health.get).vhusbd.state).toBe("down")
    })
  )
})
