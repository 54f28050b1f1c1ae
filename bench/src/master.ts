/**
 * A real master as its own process, the way an operator runs it: `ncod-master keys`, `create-admin`,
 * then `serve`, on a throwaway database (PostgreSQL from DATABASE_URL, or the embedded one) with a
 * temporary data directory. Everything it creates is removed by `stop()`.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { Redis } from "ioredis"
import type { Agent } from "undici"
import { onInterrupt } from "./cleanup.js"
import { createDatabase, dropDatabase } from "./db.js"
import { Api, trustingAgent } from "./http.js"
import { Inspector } from "./inspector.js"
import { childPids } from "./proc.js"
import { parseProm, type PromSample } from "./prom.js"

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
const launcherIn = (checkout: string) => path.join(checkout, "master/bin/ncod-master.js")

export interface MasterSettings {
  /** Names the throwaway database and Redis prefix. */
  readonly label: string
  /** PostgreSQL server to create the throwaway database on; undefined: the embedded database. */
  readonly postgresServer: string | undefined
  readonly redisUrl: string | undefined
  readonly insecureHttp: boolean
  /** NCOD_* settings for this run. */
  readonly env: Readonly<Record<string, string>>
  /** Opens the inspector (forced GC for memory figures, CPU profiles). */
  readonly inspect: boolean
  /** Keep the database afterwards (for looking at it). */
  readonly keepDatabase: boolean
  /** The checkout whose master runs (this one by default; another for before/after comparisons). */
  readonly checkout: string
}

export const ADMIN_USERNAME = "bench"

const run = (checkout: string, args: ReadonlyArray<string>, env: Record<string, string>, input?: string) =>
  new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [launcherIn(checkout), ...args], { cwd: checkout, env, stdio: ["pipe", "pipe", "pipe"] })
    let output = ""
    child.stdout.on("data", (chunk) => (output += String(chunk)))
    child.stderr.on("data", (chunk) => (output += String(chunk)))
    child.stdin.end(input ?? "")
    child.on("close", (code) => (code === 0 ? resolve(output) : reject(new Error(`ncod-master ${args[0]} exited with ${code}:\n${output}`))))
  })

/** `level: message — first line of the cause` of a JSON log line; undefined for other output. */
const digestKey = (line: string): string | undefined => {
  if (!line.startsWith("{")) return undefined
  try {
    const entry = JSON.parse(line) as { level?: string; msg?: string; cause?: string }
    const cause = entry.cause?.split("\n").find((l) => l.trim() !== "")?.trim().slice(0, 200)
    return `${entry.level ?? "?"}: ${entry.msg ?? ""}${cause ? ` — ${cause}` : ""}`
  } catch {
    return undefined
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
/** A timeout that does not keep the bench alive once everything else is done. */
const idle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref())

interface Serving {
  readonly launcher: ChildProcess
  readonly pid: number
  readonly url: string
  readonly inspectorUrls: ReadonlyArray<string>
  /** When the banner appeared (ms since the epoch). */
  readonly readyAt: number
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })

export class Master {
  private adminTokenAt = 0
  private adminAccessToken = ""
  private inspectorClient: Inspector | undefined
  private readonly log: Array<string> = []
  private readonly digest = new Map<string, number>()
  private serving: Serving | undefined
  private forgetInterrupt: () => void = () => undefined
  private stopped = false

  private constructor(
    readonly settings: MasterSettings,
    private readonly env: Record<string, string>,
    readonly ca: string | undefined,
    readonly keysDir: string,
    readonly databaseName: string | undefined,
    readonly databaseUrl: string | undefined,
    readonly redisPrefix: string | undefined,
    readonly dataDir: string,
    readonly adminPassword: string
  ) {
    this.agent = trustingAgent(ca)
  }

  readonly agent: Agent
  private apiClient: Api | undefined

  get url(): string {
    return this.serving!.url
  }

  /** The node process that serves (the launcher's child; with NCOD_WORKERS the cluster's primary). */
  get pid(): number {
    return this.serving!.pid
  }

  /** Every process of the master: the serving process and, with NCOD_WORKERS, its workers. */
  get pids(): Array<number> {
    return [this.pid, ...this.workerPids()]
  }

  /** With NCOD_WORKERS the primary only supervises: memory, stalls and profiles are worker 0's. */
  private get inspectedPid(): number {
    return this.workerPids()[0] ?? this.pid
  }

  private workerPids(): Array<number> {
    if (Number(this.env["NCOD_WORKERS"] ?? "1") <= 1) return []
    return childPids(this.pid).filter((pid) => {
      try {
        return !fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("esbuild")
      } catch {
        return false
      }
    })
  }

  get api(): Api {
    if (!this.apiClient) this.apiClient = new Api(this.url, this.agent)
    return this.apiClient
  }

  get database(): "postgres" | "embedded" {
    return this.databaseUrl === undefined ? "embedded" : "postgres"
  }

  static async start(settings: MasterSettings): Promise<Master> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `ncod-bench-${settings.label}-`))
    const suffix = `${Date.now().toString(36)}${randomBytes(2).toString("hex")}`
    const databaseName = settings.postgresServer === undefined ? undefined : `ncod_bench_${settings.label}_${suffix}`.replace(/[^a-z0-9_]/g, "_")
    const databaseUrl = databaseName === undefined ? undefined : await createDatabase(settings.postgresServer!, databaseName)
    const redisPrefix = settings.redisUrl === undefined ? undefined : `ncod-bench-${suffix}:`
    // a fixed port, so that a restarted master is where the slaves left it
    const env: Record<string, string> = {
      PATH: process.env["PATH"] ?? "/usr/bin:/bin",
      HOME: process.env["HOME"] ?? os.tmpdir(),
      NCOD_DATA_DIR: dataDir,
      NCOD_HOST: "127.0.0.1",
      NCOD_PORT: String(await freePort()),
      NCOD_LOG_LEVEL: "warning",
      NCOD_ACCESS_TOKEN_TTL_SECONDS: "3600",
      ...(settings.insecureHttp ? { NCOD_INSECURE_HTTP: "true" } : {}),
      ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
      ...(settings.redisUrl === undefined ? {} : { REDIS_URL: settings.redisUrl, NCOD_REDIS_PREFIX: redisPrefix! }),
      ...settings.env
    }
    const keysDir = path.join(dataDir, "keys")
    await run(settings.checkout, ["keys", "--dir", keysDir], env)
    const adminPassword = `bench-${randomBytes(12).toString("hex")}`
    await run(settings.checkout, ["create-admin", "--username", ADMIN_USERNAME, "--password-stdin"], env, `${adminPassword}\n`)
    const ca = settings.insecureHttp ? undefined : fs.readFileSync(path.join(keysDir, "ca.crt"), "utf8")
    const master = new Master(settings, env, ca, keysDir, databaseName, databaseUrl, redisPrefix, dataDir, adminPassword)
    master.forgetInterrupt = onInterrupt(() => master.stop())
    master.serving = await master.serve()
    return master
  }

  private remember = (chunk: unknown, inspectorUrls: Array<string>) => {
    for (const line of String(chunk).split("\n")) {
      if (line.trim() === "") continue
      const key = digestKey(line)
      if (key !== undefined) this.digest.set(key, (this.digest.get(key) ?? 0) + 1)
      const inspector = /Debugger listening on (ws:\/\/\S+)/.exec(line)
      if (inspector) inspectorUrls.push(inspector[1]!)
      this.log.push(line)
      if (this.log.length > 200) this.log.shift()
    }
  }

  private async serve(): Promise<Serving> {
    // --env NODE_OPTIONS=… (V8 heap flags, say) are kept next to the inspector's
    const nodeOptions = [this.env["NODE_OPTIONS"], this.settings.inspect ? "--inspect=127.0.0.1:0" : undefined].filter((o) => o).join(" ")
    const serveEnv = nodeOptions === "" ? this.env : { ...this.env, NODE_OPTIONS: nodeOptions }
    const launcher = spawn(process.execPath, [launcherIn(this.settings.checkout), "serve"], {
      cwd: this.settings.checkout,
      env: serveEnv,
      stdio: ["ignore", "pipe", "pipe"]
    })
    const inspectorUrls: Array<string> = []
    let seen = ""
    launcher.stderr.on("data", (chunk) => this.remember(chunk, inspectorUrls))
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the master did not start within 300 s:\n${this.recentLog()}`)), 300_000)
      launcher.stdout.on("data", (chunk) => {
        this.remember(chunk, inspectorUrls)
        seen += String(chunk)
        const match = /running at (\S+)/.exec(seen)
        if (match) {
          clearTimeout(timer)
          resolve(match[1]!)
        }
      })
      launcher.on("exit", (code) => {
        clearTimeout(timer)
        reject(new Error(`the master exited with ${code} before it was ready:\n${this.recentLog()}`))
      })
    })
    const readyAt = Date.now()
    let pid: number | undefined
    for (let attempt = 0; attempt < 50 && pid === undefined; attempt++) {
      pid = childPids(launcher.pid!)[0]
      if (pid === undefined) await sleep(100)
    }
    if (pid === undefined) throw new Error("cannot find the master's serving process")
    return { launcher, pid, url: url.replace("localhost", "127.0.0.1"), inspectorUrls, readyAt }
  }

  private async stopServing() {
    const serving = this.serving
    if (!serving) return
    this.inspectorClient?.close()
    this.inspectorClient = undefined
    if (serving.launcher.exitCode === null && serving.launcher.signalCode === null) {
      const exited = new Promise((resolve) => serving.launcher.once("exit", resolve))
      serving.launcher.kill("SIGTERM")
      const done = await Promise.race([exited.then(() => true), idle(20_000).then(() => false)])
      if (!done) {
        try {
          process.kill(serving.pid, "SIGKILL")
        } catch {
          // already gone
        }
        serving.launcher.kill("SIGKILL")
      }
    }
  }

  /** Stops the serving process and starts it again on the same port and database; returns how long it was away. */
  async restart(): Promise<{ stoppedAt: number; readyAt: number }> {
    await this.stopServing()
    const stoppedAt = Date.now()
    this.serving = await this.serve()
    return { stoppedAt, readyAt: this.serving.readyAt }
  }

  /** An admin access token (signs in again before the 1 h token runs out). */
  async adminToken(): Promise<string> {
    if (Date.now() - this.adminTokenAt > 30 * 60_000) {
      const tokens = await this.api.ok<{ accessToken: string }>("POST", "/api/v1/auth/login", {
        body: { username: ADMIN_USERNAME, password: this.adminPassword, audience: "admin" }
      })
      this.adminAccessToken = tokens.accessToken
      this.adminTokenAt = Date.now()
    }
    return this.adminAccessToken
  }

  /** A /metrics scrape; empty when the master cannot answer it (overloaded) after three tries. */
  async metrics(): Promise<ReadonlyArray<PromSample>> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await this.api.call("GET", "/metrics").catch(() => undefined)
      if (response?.status === 200) return parseProm(response.text)
      await sleep(1000)
    }
    return []
  }

  /** The serving process's inspector (identified by pid: the launcher has one too). */
  async inspector(): Promise<Inspector> {
    if (this.inspectorClient) return this.inspectorClient
    for (const url of this.serving?.inspectorUrls ?? []) {
      const candidate = await Inspector.connect(url).catch(() => undefined)
      if (!candidate) continue
      const pid = await candidate.evaluate<number>("process.pid").catch(() => -1)
      if (pid === this.inspectedPid) {
        this.inspectorClient = candidate
        return candidate
      }
      candidate.close()
    }
    throw new Error("the master's inspector is not reachable (start it with inspect: true)")
  }

  /** What the master logged at warning and above, counted by message (and the first line of its cause). */
  logDigest(top = 20): Array<{ readonly line: string; readonly count: number }> {
    return [...this.digest.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([line, count]) => ({ line, count }))
  }

  recentLog() {
    return this.log.slice(-40).join("\n")
  }

  async stop() {
    if (this.stopped) return
    this.stopped = true
    this.forgetInterrupt()
    await this.stopServing()
    await this.agent.close().catch(() => undefined)
    if (this.databaseName !== undefined && !this.settings.keepDatabase) {
      await dropDatabase(this.settings.postgresServer!, this.databaseName).catch((error: unknown) =>
        console.error(`could not drop ${this.databaseName}: ${String(error)}`)
      )
    }
    if (this.redisPrefix !== undefined) await clearRedis(this.settings.redisUrl!, this.redisPrefix)
    fs.rmSync(this.dataDir, { recursive: true, force: true })
  }
}

const clearRedis = async (url: string, prefix: string) => {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 })
  try {
    await redis.connect()
    let cursor = "0"
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000)
      if (keys.length > 0) await redis.del(...keys)
      cursor = next
    } while (cursor !== "0")
  } catch (error) {
    console.error(`could not clear Redis keys ${prefix}*: ${String(error)}`)
  } finally {
    redis.disconnect()
  }
}
