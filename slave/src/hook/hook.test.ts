import { describe, expect, it } from "@effect/vitest"
import { buildClientAuthorizationCommandLine, type DeviceId, GrantsSnapshot, type LeaseId, type SlaveGrant, type UserId } from "@ncod/core"
import { type SimClientDaemon, simClientDaemonScoped, simUsbServerScoped } from "@ncod/core/vh-sim"
import { DateTime, Effect, Exit, Scope } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { makeHealth } from "../agent/Health.js"
import { makeSignal } from "../agent/Signals.js"
import { makeGrants } from "../link/Grants.js"
import { serveAgentSocket } from "./AgentSocket.js"
import { makeHookHandlers } from "./HookHandlers.js"
import { parseHookArgs } from "./hookArgs.js"
import { askAgent } from "./protocol.js"

const hookProgram = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../bin/ncod-slave-hook.js")
const md5 = (text: string) => createHash("md5").update(text).digest("hex")
const ftdi = { vendorId: "0403", productId: "6001", product: "FT232R USB UART", manufacturer: "FTDI", serial: "A50285BI", busPath: "1-1.2" }

const grantFor = (clientIdentity: string, bindPassword: string | null): SlaveGrant => ({
  leaseId: "11111111-1111-4111-8111-111111111111" as LeaseId,
  deviceId: "22222222-2222-4222-8222-222222222222" as DeviceId,
  stableKey: "0403:6001:serial:A50285BI",
  vhAddress: "labhub.112",
  vendorId: "0403",
  productId: "6001",
  serial: "A50285BI",
  busPath: "1-1.2",
  clientIdentity,
  bindPasswordMd5: bindPassword === null ? null : md5(bindPassword),
  userId: "33333333-3333-4333-8333-333333333333" as UserId,
  username: "ann",
  expiresAt: DateTime.unsafeMake(Date.now() + 3_600_000)
})

const tempDir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "ncod-hook-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

/** A user's VirtualHere client on its own pipes, connected to the simulated server. */
const userClient = (dir: string, fullName: string, username: string, port: number) =>
  simClientDaemonScoped({
    fullName,
    username,
    hostname: `${username.toUpperCase()}-PC`,
    commandPipe: path.join(dir, `${username}-cmd`),
    responsePipe: path.join(dir, `${username}-resp`),
    hubs: [`127.0.0.1:${port}`],
    reconnectMillis: 100
  })

const connected = (daemon: SimClientDaemon) =>
  Effect.promise(async () => {
    for (let i = 0; i < 100 && !daemon.hubStates().some((hub) => hub.state === "connected"); i++) await new Promise((r) => setTimeout(r, 20))
  })

describe("the authorization hook, run by a (simulated) licensed vhusbd", () => {
  it.scopedLive(
    "lets the lease holder bind with the bind password, denies everyone else, and denies when the agent is down",
    () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        const socketPath = path.join(dir, "agent.sock")
        const health = yield* makeHealth("test")
        const grants = yield* makeGrants(health)
        const agentScope = yield* Scope.make()
        yield* serveAgentSocket(
          socketPath,
          makeHookHandlers({ grants, devices: Effect.succeed([]), grantsMaxAgeSeconds: 60, scan: yield* makeSignal, health })
        ).pipe(Scope.extend(agentScope))
        const server = yield* simUsbServerScoped({
          name: "Lab Hub",
          hostname: "labhub",
          licensed: true,
          clientAuthorization: buildClientAuthorizationCommandLine(hookProgram, ["--socket", socketPath]),
          devices: [ftdi]
        })
        const ann = yield* userClient(dir, "Ann Lee", "ann", server.port)
        const bob = yield* userClient(dir, "Bob Roe", "bob", server.port)
        yield* connected(ann)
        yield* connected(bob)
        const use = (client: SimClientDaemon, line: string) => Effect.promise(() => client.execute(line))
        const holder = () => server.listDevices()[0]!.boundTo?.clientId ?? null

        // before the master has said anything: fail closed
        expect(yield* use(ann, "USE,labhub.112,pw-1")).not.toMatch(/^OK/)
        expect(holder()).toBeNull()

        yield* grants.apply(new GrantsSnapshot({ grants: [grantFor("Ann Lee (ann)", "pw-1")], at: DateTime.unsafeNow() }), Date.now())
        expect(yield* use(bob, "USE,labhub.112,pw-1")).not.toMatch(/^OK/)
        expect(yield* use(ann, "USE,labhub.112,wrong")).not.toMatch(/^OK/)
        expect(holder()).toBeNull()
        expect((yield* use(ann, "USE,labhub.112,pw-1")).trim()).toBe("OK")
        expect(holder()).toBe("Ann Lee (ann)")
        yield* use(ann, "STOP USING,labhub.112")

        // the agent goes away: nobody binds, not even the holder
        yield* Scope.close(agentScope, Exit.void)
        expect(yield* use(ann, "USE,labhub.112,pw-1")).not.toMatch(/^OK/)
        expect(holder()).toBeNull()
      }),
    60_000
  )
})

describe("the agent socket", () => {
  it.scopedLive("answers malformed, unknown and oversized requests with ok: false instead of failing", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const socketPath = path.join(dir, "agent.sock")
      const health = yield* makeHealth("test")
      const grants = yield* makeGrants(health)
      yield* serveAgentSocket(socketPath, makeHookHandlers({ grants, devices: Effect.succeed([]), grantsMaxAgeSeconds: 60, scan: yield* makeSignal, health }))
      expect((fs.statSync(socketPath).mode & 0o777).toString(8)).toBe("660")
      const raw = (text: string) =>
        Effect.promise(
          () =>
            new Promise<string>((resolve) => {
              const socket = net.createConnection(socketPath)
              let out = ""
              socket.on("data", (chunk) => (out += String(chunk)))
              socket.on("close", () => resolve(out))
              socket.on("error", () => resolve(out))
              socket.write(text)
            })
        )
      expect(JSON.parse(yield* raw("not json\n"))).toEqual({ ok: false, error: "bad request" })
      expect(JSON.parse(yield* raw('{"v":1,"op":"format-disk"}\n'))).toEqual({ ok: false, error: "bad request" })
      expect(JSON.parse(yield* raw("x".repeat(70_000)))).toEqual({ ok: false, error: "request too long" })
      const status = (yield* Effect.promise(() => askAgent(socketPath, { v: 1, op: "status" }, 2_000))) as { ok: boolean; status: { version: string } }
      expect(status.ok).toBe(true)
      expect(status.status.version).toBe("test")
    })
  )

  it.scopedLive("refuses to start a second agent on a socket another agent answers, and takes over a stale one", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const socketPath = path.join(dir, "agent.sock")
      const health = yield* makeHealth("test")
      const handlers = makeHookHandlers({ grants: yield* makeGrants(health), devices: Effect.succeed([]), grantsMaxAgeSeconds: 60, scan: yield* makeSignal, health })
      const first = yield* Scope.make()
      yield* serveAgentSocket(socketPath, handlers).pipe(Scope.extend(first))
      const second = yield* Effect.flip(serveAgentSocket(socketPath, handlers))
      expect(second.reason).toMatch(/another ncod-slave agent is running/)
      yield* Scope.close(first, Exit.void)
      // a socket file nobody answers (an agent that was killed) is replaced
      const stale = net.createServer()
      yield* Effect.promise(() => new Promise<void>((resolve) => stale.listen(socketPath, resolve)))
      yield* Effect.promise(() => new Promise<void>((resolve) => stale.close(() => resolve())))
      yield* serveAgentSocket(socketPath, handlers)
    })
  )
})

describe("the hook's command line", () => {
  const line = ["--vendor-id", "0403", "--product-id", "6001", "--client-id", "Ann Lee (ann)", "--password", "abc"]

  it("reads the named arguments vhusbd fills in", () => {
    const parsed = parseHookArgs([...line, "--socket", "/tmp/s"])
    expect(parsed).toMatchObject({ mode: "authorize", socket: "/tmp/s", request: { clientId: "Ann Lee (ann)", password: "abc", serial: "" } })
  })

  it("refuses a client id that broke out of its quotes into extra words or options", () => {
    expect(parseHookArgs([...line, "extra"]).mode).toBe("invalid")
    expect(parseHookArgs([...line, "--client-id", "Bob (bob)"]).mode).toBe("invalid")
    expect(parseHookArgs([...line, "--exec", "x"]).mode).toBe("invalid")
  })

  it("takes a value that looks like an option as the value it is", () => {
    const parsed = parseHookArgs(["--vendor-id", "0403", "--product-id", "6001", "--client-id", "--odd (name)"])
    expect(parsed).toMatchObject({ mode: "authorize", request: { clientId: "--odd (name)" } })
  })

  it("reads an event poke", () => {
    expect(parseHookArgs(["event", "onBind", "--address", "112"])).toMatchObject({ mode: "event", request: { op: "event", event: "onBind", address: "112" } })
    expect(parseHookArgs(["event", "rm -rf"]).mode).toBe("invalid")
  })
})
