import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { VhClient } from "../vh-node/VhClient.js"
import { simClientDaemonScoped, simUsbServerScoped } from "./scoped.js"
import { ftdi } from "./testing/simSite.js"

describe("the simulator inside an Effect scope", () => {
  it.scopedLive("starts a server and a daemon for the scope and tears them down after", () =>
    Effect.gen(function* () {
      const dir = yield* Effect.acquireRelease(
        Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "vhsim-scope-"))),
        (d) => Effect.promise(() => fs.rm(d, { recursive: true, force: true }))
      )
      const server = yield* simUsbServerScoped({ name: "Scoped Hub", hostname: "scoped", devices: [ftdi] })
      const commandPipe = path.join(dir, "cmd")
      const responsePipe = path.join(dir, "resp")
      yield* simClientDaemonScoped({ fullName: "", username: "ci", hostname: "ci", commandPipe, responsePipe, hubs: [`127.0.0.1:${server.port}`] })
      const list = yield* Effect.flatMap(VhClient, (c) => c.list()).pipe(
        Effect.filterOrFail((l) => l.hubs.length === 1),
        Effect.retry(Schedule.spaced("50 millis").pipe(Schedule.intersect(Schedule.recurs(100)))),
        Effect.provide(VhClient.layerFifo({ commandPipe, responsePipe }))
      )
      expect(list.hubs[0]!.devices[0]!.address).toBe("scoped.112")
    })
  )
})
