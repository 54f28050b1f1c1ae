/**
 * A real world for the client's integration tests: a master started as its own process from the
 * repository (`node master/bin/ncod-master.js`, a throwaway database), a slave enrolled through the
 * API whose devices come from a simulated VirtualHere server (`SimUsbServer`) and are reported
 * every second from here with the real report shape, a TCP proxy between the clients and the
 * master (to cut the network), and per user a simulated VirtualHere client daemon on FIFOs. The
 * `ncod` command runs as its own process through its launcher, as a user would run it.
 */
import { HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { NcodApi, type ReportedDevice, type SlaveLinkMessage, type SlaveReport } from "@ncod/core"
import { slaveLinkClient, tlsHttpClientLayer } from "@ncod/core/node"
import { SimClientDaemon, SimUsbServer, type SimUsbDeviceSpec } from "@ncod/core/vh-sim"
import { scopedServerDatabase, scopedTempDir } from "@ncod/sql/testing"
import { Context, Effect, Layer, Schedule, Stream } from "effect"
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))
export const repoRoot = path.resolve(here, "../..")
export const ncodLauncher = path.join(repoRoot, "client/bin/ncod.js")
const masterLauncher = path.join(repoRoot, "master/bin/ncod-master.js")

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })

export interface CliResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly millis: number
}

const run = (command: string, args: ReadonlyArray<string>, env: Record<string, string>, input?: string) =>
  new Promise<CliResult>((resolve) => {
    const started = Date.now()
    const child = spawn(command, args, { cwd: repoRoot, env, stdio: ["pipe", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += String(chunk)))
    child.stderr.on("data", (chunk) => (stderr += String(chunk)))
    child.stdin.end(input ?? "")
    child.on("close", (code) => resolve({ code, stdout, stderr, millis: Date.now() - started }))
  })

// ------------------------------------------------------------------------------------ TCP proxy

/** A TCP proxy to the master that can be cut (listener closed, live connections dropped) and restored. */
export class CuttableProxy {
  private server: net.Server | undefined
  private readonly sockets = new Set<net.Socket>()
  connections = 0
  private constructor(readonly port: number, private readonly target: number) {}

  static async start(target: number) {
    const proxy = new CuttableProxy(await freePort(), target)
    await proxy.restore()
    return proxy
  }

  restore(): Promise<void> {
    if (this.server) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const server = net.createServer((client) => {
        this.connections++
        const upstream = net.connect(this.target, "127.0.0.1")
        for (const socket of [client, upstream]) {
          this.sockets.add(socket)
          socket.on("close", () => this.sockets.delete(socket))
          socket.on("error", () => socket.destroy())
        }
        client.pipe(upstream).pipe(client)
        client.on("close", () => upstream.destroy())
        upstream.on("close", () => client.destroy())
      })
      server.once("error", reject)
      server.listen(this.port, "127.0.0.1", () => {
        this.server = server
        resolve()
      })
    })
  }

  cut(): Promise<void> {
    const server = this.server
    this.server = undefined
    for (const socket of this.sockets) socket.destroy()
    this.sockets.clear()
    return server ? new Promise((resolve) => server.close(() => resolve())) : Promise.resolve()
  }
}

// ------------------------------------------------------------------------------------ the world

export interface TestUser {
  readonly username: string
  readonly fullName: string
  readonly password: string
  readonly home: string
  readonly daemon: SimClientDaemon
  /** The environment `ncod` runs with for this user (its own config dir, FIFOs and identity). */
  readonly env: Record<string, string>
}

export interface ClientWorldShape {
  readonly dir: string
  readonly masterUrl: string
  readonly proxyUrl: string
  readonly proxy: CuttableProxy
  readonly ca: string
  readonly caFile: string
  readonly server: SimUsbServer
  readonly slaveId: string
  /** Reports the simulated server's devices now (the background loop reports every second). */
  readonly reportNow: Effect.Effect<void>
  /** Every message the master sent the slave's grants link (bind passwords as MD5). */
  readonly slaveLink: ReadonlyArray<SlaveLinkMessage>
  /** `client id|password MD5` per bind the authorization hook was asked about. */
  readonly hookCalls: () => ReadonlyArray<string>
  /** Makes the slave's authorization hook refuse (or allow again) every bind. */
  readonly denyBinds: (deny: boolean) => void
  /** Stops (or resumes) the slave's reports: the master marks a silent slave offline. */
  readonly pauseReports: (pause: boolean) => void
  readonly departmentId: string
}

export type AdminApi = Effect.Effect.Success<ReturnType<typeof typedApi>>

const typedApi = (baseUrl: string, token?: string) =>
  HttpApiClient.make(NcodApi, {
    baseUrl,
    ...(token ? { transformClient: HttpClient.mapRequest(HttpClientRequest.bearerToken(token)) } : {})
  })

export class ClientWorld extends Context.Tag("@ncod/client/test/ClientWorld")<ClientWorld, ClientWorldShape & { readonly admin: AdminApi; readonly http: Layer.Layer<HttpClient.HttpClient> }>() {}

export const adminPassword = "correct horse battery staple"

/** USB devices of the simulated slave. */
export const simDevices: ReadonlyArray<SimUsbDeviceSpec> = [
  { vendorId: "0403", productId: "6001", manufacturer: "FTDI", product: "FT232R USB UART", serial: "A50285BI", busPath: "1-1.2" },
  { vendorId: "1366", productId: "0105", manufacturer: "SEGGER", product: "J-Link", serial: "000260112233", busPath: "1-1.3" },
  { vendorId: "0483", productId: "3748", manufacturer: "STMicroelectronics", product: "STM32 STLink", serial: "066DFF48", busPath: "1-1.4" },
  { vendorId: "10c4", productId: "ea60", manufacturer: "Silicon Labs", product: "CP2102 USB to UART", serial: "0001", busPath: "1-1.5" }
]

const waitForLine = (child: ChildProcess, pattern: RegExp, timeoutMs: number) =>
  new Promise<string>((resolve, reject) => {
    let seen = ""
    const timer = setTimeout(() => reject(new Error(`no output matching ${pattern} within ${timeoutMs} ms:\n${seen}`)), timeoutMs)
    const onData = (chunk: unknown) => {
      seen += String(chunk)
      const match = seen.match(pattern)
      if (match) {
        clearTimeout(timer)
        resolve(match[0])
      }
    }
    child.stdout?.on("data", onData)
    child.stderr?.on("data", onData)
    child.once("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`exited with ${code} before printing ${pattern}:\n${seen}`))
    })
  })

export interface WorldOptions {
  readonly graceSeconds: number
}

/** The world for one test file; everything is stopped and removed when the layer's scope closes. */
export const clientWorldLayer = (options: WorldOptions) =>
  Layer.scoped(
    ClientWorld,
    Effect.gen(function* () {
      const dir = yield* scopedTempDir("ncod-client-test-")
      const dataDir = path.join(dir, "master")
      const keysDir = path.join(dataDir, "keys")
      const databaseUrl = process.env["DATABASE_URL"] ? (yield* scopedServerDatabase(process.env["DATABASE_URL"])).url : undefined
      const port = yield* Effect.promise(freePort)
      const masterEnv: Record<string, string> = {
        PATH: process.env["PATH"] ?? "",
        HOME: process.env["HOME"] ?? dir,
        NCOD_HOST: "127.0.0.1",
        NCOD_PORT: String(port),
        NCOD_DATA_DIR: dataDir,
        NCOD_KEYS_DIR: keysDir,
        NCOD_LOG_LEVEL: "warning",
        NCOD_DEMO: "false",
        NCOD_BCRYPT_COST: "10",
        NCOD_REPORT_INTERVAL_SECONDS: "1",
        NCOD_OFFLINE_AFTER_MISSED: "3",
        NCOD_LEASE_KEEPALIVE_SECONDS: "2",
        NCOD_LEASE_GRACE_SECONDS: String(options.graceSeconds),
        NCOD_LOGIN_MAX_FAILURES: "100",
        NCOD_LOGIN_IP_MAX_FAILURES: "10000",
        NCOD_REGISTRATIONS_PER_HOUR: "10000",
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
        ...(process.env["REDIS_URL"] ? { REDIS_URL: process.env["REDIS_URL"], NCOD_REDIS_PREFIX: `ncod-client-test-${path.basename(dir)}:` } : {})
      }
      const keys = yield* Effect.promise(() => run(process.execPath, [masterLauncher, "keys", "--dir", keysDir], masterEnv))
      if (keys.code !== 0) return yield* Effect.die(`ncod-master keys failed: ${keys.stderr}`)
      const admin = yield* Effect.promise(() =>
        run(process.execPath, [masterLauncher, "create-admin", "--username", "admin", "--password-stdin"], masterEnv, `${adminPassword}\n`)
      )
      if (admin.code !== 0) return yield* Effect.die(`ncod-master create-admin failed: ${admin.stdout}${admin.stderr}`)
      const master = yield* Effect.acquireRelease(
        Effect.sync(() => spawn(process.execPath, [masterLauncher, "serve"], { cwd: repoRoot, env: masterEnv, stdio: ["ignore", "pipe", "pipe"] })),
        (child) =>
          Effect.promise(
            () =>
              new Promise<void>((resolve) => {
                if (child.exitCode !== null) return resolve()
                child.once("exit", () => resolve())
                child.kill("SIGTERM")
                setTimeout(() => child.kill("SIGKILL"), 10_000).unref()
              })
          )
      )
      let masterLog = ""
      master.stderr.on("data", (chunk) => (masterLog = (masterLog + String(chunk)).slice(-20_000)))
      yield* Effect.tryPromise(() => waitForLine(master, /ncod master is running at/, 90_000)).pipe(
        Effect.catchAll((error) => Effect.die(`${String(error)}\n${masterLog}`))
      )
      const masterUrl = `https://127.0.0.1:${port}`
      const caFile = path.join(keysDir, "ca.crt")
      const ca = fs.readFileSync(caFile, "utf8")
      const http = tlsHttpClientLayer(ca)
      const proxy = yield* Effect.acquireRelease(Effect.promise(() => CuttableProxy.start(port)), (p) => Effect.promise(() => p.cut()))

      const context = yield* Effect.gen(function* () {
        const anonymous = yield* typedApi(masterUrl)
        const tokens = yield* anonymous.auth.login({ payload: { username: "admin", password: adminPassword, audience: "admin" } })
        const adminApi = yield* typedApi(masterUrl, tokens.accessToken)
        const org = yield* adminApi.adminOrgUnits.create({ payload: { kind: "organization", parentId: null, name: "Lab Org", nameEn: null } })
        const company = yield* adminApi.adminOrgUnits.create({ payload: { kind: "company", parentId: org.id, name: "Lab Co", nameEn: null } })
        const department = yield* adminApi.adminOrgUnits.create({ payload: { kind: "project_department", parentId: company.id, name: "Firmware", nameEn: null } })

        // the slave's VirtualHere server, with an authorization hook that logs and can refuse
        const hookLog = path.join(dir, "hook.log")
        const denyFlag = path.join(dir, "deny-binds")
        const hook = path.join(dir, "authorize.sh")
        fs.writeFileSync(hook, `#!/bin/sh\necho "$1|$2" >> '${hookLog}'\n[ -f '${denyFlag}' ] && exit 0\nexit 1\n`, { mode: 0o755 })
        const server = yield* Effect.acquireRelease(
          Effect.promise(() =>
            SimUsbServer.start({ name: "labhub", hostname: "labhub", licensed: true, devices: simDevices, clientAuthorization: `'${hook}' "$CLIENT_ID$" "$PASSWORD$"` })
          ),
          (s) => Effect.promise(() => s.stop())
        )

        const issued = yield* adminApi.adminFleet.createEnrollmentToken({ payload: { label: "client tests", maxUses: 1, expiresInHours: 1 } })
        const enrollment = yield* anonymous.slaveAgent.enroll({
          payload: { token: issued.token, name: "lab-1", host: "127.0.0.1", vhPort: server.port, fingerprint: "client-test-slave-0001", agentVersion: "test", labels: {} }
        })
        const slaveApi = yield* typedApi(masterUrl, enrollment.credential)
        const specs = new Map(simDevices.map((spec) => [spec.busPath, spec] as const))
        let seq = 1
        const reportNow = Effect.suspend(() => {
          const devices: Array<ReportedDevice> = server.listDevices().map((d) => {
            const spec = specs.get(d.busPath)
            return {
              vhAddress: `${server.hostname}.${d.address}`,
              vendorId: d.vendorId.toLowerCase(),
              productId: d.productId.toLowerCase(),
              manufacturer: spec?.manufacturer ?? null,
              product: spec?.product ?? null,
              serial: d.serial || null,
              busPath: d.busPath,
              speed: null,
              deviceClass: null,
              nickname: d.nickname || null,
              boundClient: d.boundTo?.clientId ?? null
            }
          })
          const report: SlaveReport = {
            seq: seq++,
            agentVersion: "test",
            accessMode: "enforced",
            degraded: false,
            server: { name: server.hostname, version: "4.8.2", licensed: true, maxDevices: null },
            devices
          }
          return slaveApi.slaveAgent.report({ path: { id: enrollment.slaveId }, payload: report })
        }).pipe(Effect.asVoid, Effect.ignore)
        yield* reportNow
        let reporting = true
        yield* Effect.forkScoped(Effect.repeat(Effect.suspend(() => (reporting ? reportNow : Effect.void)), Schedule.spaced("1 second")))
        yield* adminApi.adminFleet.createGrant({
          payload: { target: { _tag: "slave", slaveId: enrollment.slaveId }, subject: { _tag: "orgUnit", orgUnitId: department.id } }
        })
        // what the master tells the slave's hook: the bind passwords' MD5 per lease
        const slaveLink: Array<SlaveLinkMessage> = []
        const link = yield* slaveLinkClient(masterUrl, ca)
        yield* link.SlaveGrants({ credential: enrollment.credential }).pipe(
          Stream.runForEach((message) => Effect.sync(() => void slaveLink.push(message))),
          Effect.retry(Schedule.spaced("1 second")),
          Effect.forkScoped
        )
        return {
          admin: adminApi,
          server,
          slaveId: enrollment.slaveId,
          reportNow,
          slaveLink,
          hookCalls: () => (fs.existsSync(hookLog) ? fs.readFileSync(hookLog, "utf8").trim().split("\n").filter((line) => line.length > 0) : []),
          denyBinds: (deny: boolean) => (deny ? fs.writeFileSync(denyFlag, "") : fs.rmSync(denyFlag, { force: true })),
          pauseReports: (pause: boolean) => {
            reporting = !pause
          },
          departmentId: department.id
        }
      }).pipe(Effect.provide(http), Effect.orDie)

      return { dir, masterUrl, proxyUrl: `https://127.0.0.1:${proxy.port}`, proxy, ca, caFile, http, ...context }
    })
  )

/** The environment every `ncod` run gets, on top of the user's own. */
const baseEnv = (): Record<string, string> => ({
  PATH: process.env["PATH"] ?? "",
  HOME: process.env["HOME"] ?? "/tmp",
  LANG: "C.UTF-8",
  NCOD_KEEPALIVE_SECONDS: "1",
  NCOD_RECONNECT_MAX_SECONDS: "2",
  NCOD_VH_CHECK_SECONDS: "1",
  NCOD_BIND_TIMEOUT_SECONDS: "6"
})

/** Registers an approved user in the lab department with a client home and a VirtualHere client daemon. */
export const makeUser = (username: string, fullName: string) =>
  Effect.gen(function* () {
    const world = yield* ClientWorld
    const password = "tangerine kite orbit 4711"
    const user = yield* Effect.flatMap(typedApi(world.masterUrl), (anonymous) =>
      anonymous.auth.register({
        payload: { username, displayName: fullName, email: `${username}@example.com`, phone: null, password, orgUnitId: world.departmentId as never }
      })
    ).pipe(Effect.provide(world.http), Effect.orDie)
    yield* world.admin.adminUsers.approve({ path: { id: user.id } }).pipe(Effect.provide(world.http), Effect.orDie)
    const home = path.join(world.dir, `home-${username}`)
    const pipes = path.join(world.dir, `vh-${username}`)
    fs.mkdirSync(pipes, { recursive: true })
    const daemon = yield* Effect.acquireRelease(
      Effect.promise(() =>
        SimClientDaemon.start({
          fullName,
          username,
          hostname: `${username}-pc`,
          commandPipe: path.join(pipes, "vhclient"),
          responsePipe: path.join(pipes, "vhclient_response"),
          reconnectMillis: 200
        })
      ),
      (d) => Effect.promise(() => d.stop())
    )
    const env = {
      ...baseEnv(),
      NCOD_CLIENT_HOME: home,
      NCOD_VH_COMMAND_PIPE: path.join(pipes, "vhclient"),
      NCOD_VH_RESPONSE_PIPE: path.join(pipes, "vhclient_response"),
      NCOD_VH_CLIENT_ID: daemon.clientId
    }
    return { username, fullName, password, home, daemon, env } satisfies TestUser
  })

/** Runs `ncod <args>` to completion as this user. */
export const ncod = (user: TestUser, args: ReadonlyArray<string>, input?: string, extraEnv: Record<string, string> = {}) =>
  Effect.promise(() => run(process.execPath, [ncodLauncher, ...args], { ...user.env, ...extraEnv }, input))

/** A running `ncod` (connect, watch): its output so far, a wait for a pattern, and its exit. */
export interface RunningNcod {
  readonly child: ChildProcess
  readonly output: () => string
  readonly waitFor: (pattern: RegExp, timeoutMs: number) => Promise<string>
  readonly exited: Promise<{ code: number | null; at: number }>
}

export const startNcod = (user: TestUser, args: ReadonlyArray<string>) =>
  Effect.acquireRelease(
    Effect.sync((): RunningNcod => {
      // its own process group, so a test can send SIGINT the way a terminal's Ctrl+C does
      const child = spawn(process.execPath, [ncodLauncher, ...args], { cwd: repoRoot, env: user.env, stdio: ["ignore", "pipe", "pipe"], detached: true })
      let output = ""
      child.stdout.on("data", (chunk) => (output += String(chunk)))
      child.stderr.on("data", (chunk) => (output += String(chunk)))
      const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once("exit", (code) => resolve({ code, at: Date.now() })))
      return {
        child,
        output: () => output,
        exited,
        waitFor: (pattern, timeoutMs) =>
          new Promise<string>((resolve, reject) => {
            const started = Date.now()
            const tick = () => {
              const match = output.match(pattern)
              if (match) return resolve(match[0])
              if (child.exitCode !== null) return reject(new Error(`ncod exited (${child.exitCode}) before printing ${pattern}:\n${output}`))
              if (Date.now() - started > timeoutMs) return reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`))
              setTimeout(tick, 50)
            }
            tick()
          })
      }
    }),
    (running) =>
      Effect.promise(async () => {
        if (running.child.exitCode === null && running.child.pid !== undefined) {
          try {
            process.kill(-running.child.pid, "SIGKILL")
          } catch {
            // already gone
          }
        }
      })
  )

/** Ctrl+C as a terminal sends it: SIGINT to the whole process group (launcher and command). */
export const ctrlC = (running: RunningNcod) => Effect.sync(() => process.kill(-running.child.pid!, "SIGINT"))

/** Signs the user in through the proxy: the first time asks for the machine, the admin approves it. */
export const loginApproved = (user: TestUser) =>
  Effect.gen(function* () {
    const world = yield* ClientWorld
    const args = ["login", "--master", world.proxyUrl, "--username", user.username, "--ca-file", world.caFile, "--password-stdin"]
    const first = yield* ncod(user, args, `${user.password}\n`)
    if (first.code === 0) return first
    const pending = yield* world.admin.adminMachines.list({ urlParams: { status: "pending" } }).pipe(Effect.provide(world.http), Effect.orDie)
    const mine = pending.find((entry) => entry.username === user.username)
    if (!mine) return yield* Effect.die(`no pending machine for ${user.username}: ${first.stdout}${first.stderr}`)
    yield* world.admin.adminMachines.approve({ path: { id: mine.machine.id } }).pipe(Effect.provide(world.http), Effect.orDie)
    const second = yield* ncod(user, args, `${user.password}\n`)
    if (second.code !== 0) return yield* Effect.die(`login failed after approval: ${second.stdout}${second.stderr}`)
    return second
  })

/** The admin's view of a device's leases (open first). */
export const leasesOf = (deviceId: string) =>
  Effect.gen(function* () {
    const world = yield* ClientWorld
    const page = yield* world.admin.adminLeases.usage({ urlParams: { deviceId: deviceId as never, limit: 50 } }).pipe(Effect.provide(world.http), Effect.orDie)
    return page.items.map((record) => record.lease)
  })

/** The device id the master gave the simulated device on `busPath`. */
export const deviceIdFor = (busPath: string) =>
  Effect.gen(function* () {
    const world = yield* ClientWorld
    const page = yield* world.admin.inventory.devices({ urlParams: { slaveId: world.slaveId as never, limit: 50 } }).pipe(Effect.provide(world.http), Effect.orDie)
    const view = page.items.find((item) => item.device.busPath === busPath)
    if (!view) return yield* Effect.die(`no device on ${busPath}`)
    return view.device
  })

/** Who the simulated server says holds the device on `busPath`. */
export const boundTo = (busPath: string) =>
  Effect.map(ClientWorld, (world) => world.server.listDevices().find((d) => d.busPath === busPath)?.boundTo?.clientId ?? null)

/** Polls `check` until it returns true or `timeoutMs` passes; returns how long it took. */
export const eventually = <R>(check: Effect.Effect<boolean, never, R>, timeoutMs: number, every = 100) =>
  Effect.gen(function* () {
    const started = Date.now()
    for (;;) {
      if (yield* check) return Date.now() - started
      if (Date.now() - started > timeoutMs) return yield* Effect.die(`condition not met within ${timeoutMs} ms`)
      yield* Effect.sleep(`${every} millis`)
    }
  })

export const tmuxAvailable = () => {
  try {
    execFileSync("tmux", ["-V"], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
}

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`

/**
 * A tmux server of its own (its own socket) running one command in an 80×24 pseudo-terminal, as a
 * person's terminal: without the CI variable the test runner may have (it turns the spinner off).
 */
export const tmuxSession = (user: TestUser, args: ReadonlyArray<string>, size = { cols: 80, rows: 24 }) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const socket = `ncod-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
      const tmux = (tmuxArgs: ReadonlyArray<string>) => execFileSync("tmux", ["-L", socket, "-f", "/dev/null", ...tmuxArgs], { encoding: "utf8" })
      const env = Object.entries(user.env).map(([key, value]) => `${key}=${shellQuote(value)}`).join(" ")
      const command = `cd ${shellQuote(repoRoot)} && env -u CI ${env} TERM=xterm-256color ${shellQuote(process.execPath)} ${shellQuote(ncodLauncher)} ${args.map(shellQuote).join(" ")}; echo "EXIT=$?"; sleep 600`
      tmux(["new-session", "-d", "-s", "main", "-x", String(size.cols), "-y", String(size.rows), command])
      return {
        socket,
        /** The screen as text, one string per row (no colours). */
        screen: () => tmux(["capture-pane", "-p", "-t", "main"]).replace(/\n$/, "").split("\n"),
        keys: (...keys: ReadonlyArray<string>) => void tmux(["send-keys", "-t", "main", ...keys]),
        type: (text: string) => void tmux(["send-keys", "-t", "main", "-l", text])
      }
    }),
    (session) =>
      Effect.sync(() => {
        try {
          execFileSync("tmux", ["-L", session.socket, "kill-server"], { stdio: "ignore" })
        } catch {
          // already gone
        }
      })
  )

/** Waits until the screen shows `pattern`; returns the screen. */
export const waitForScreen = (session: { readonly screen: () => ReadonlyArray<string> }, pattern: RegExp, timeoutMs: number) =>
  Effect.gen(function* () {
    const started = Date.now()
    for (;;) {
      const screen = session.screen()
      if (pattern.test(screen.join("\n"))) return screen
      if (Date.now() - started > timeoutMs) return yield* Effect.die(`the screen never showed ${pattern}:\n${screen.join("\n")}`)
      yield* Effect.sleep("100 millis")
    }
  })
