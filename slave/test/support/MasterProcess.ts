import { HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { NcodApi } from "@ncod/core"
import { tlsHttpClientLayer } from "@ncod/core/node"
import { scopedServerDatabase, scopedTempDir, serverUrl } from "@ncod/sql/testing"
import { Effect } from "effect"
import type { ChildProcess } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import pg from "pg"
import { freePort, runProgram, spawnProgram, stopProcess } from "./processes.js"

const launcher = "master/bin/ncod-master.js"

export interface MasterProcess {
  readonly url: string
  readonly port: number
  readonly ca: string
  readonly caFile: string
  readonly keysDir: string
  readonly admin: { readonly username: string; readonly password: string }
  /** Everything the master wrote, for failure messages. */
  readonly output: ReadonlyArray<string>
  /** Stops the master process (SIGTERM) and resolves when it is gone. */
  readonly stop: () => Promise<void>
  /** Starts it again on the same port, data and database; resolves when it listens. */
  readonly start: () => Promise<void>
  readonly running: () => boolean
  /** The master's database (a throwaway one), or undefined when it runs the embedded one. */
  readonly databaseUrl: string | undefined
}

/**
 * A real master as its own process, started from this checkout the way an operator would: keys,
 * create-admin, serve. Its database is a throwaway one on DATABASE_URL's server (dropped after),
 * or the embedded one without DATABASE_URL. Slave tests never import master code.
 */
export const masterProcess = (settings: Record<string, string> = {}, options: { readonly fullChain?: boolean } = {}) =>
  Effect.gen(function* () {
    const dataDir = yield* scopedTempDir("ncod-slave-it-master-")
    const base = serverUrl()
    const database = base ? { DATABASE_URL: (yield* scopedServerDatabase(base)).url } : {}
    const port = yield* Effect.promise(freePort)
    const keysDir = path.join(dataDir, "keys")
    // a master that sends its CA with its certificate can be pinned on first use (TOFU)
    const fullChainFile = path.join(keysDir, "fullchain.crt")
    const env: Record<string, string> = {
      ...(options.fullChain ? { NCOD_TLS_CERT: fullChainFile, NCOD_TLS_KEY: path.join(keysDir, "server.key") } : {}),
      NCOD_HOST: "127.0.0.1",
      NCOD_PORT: String(port),
      NCOD_DATA_DIR: dataDir,
      NCOD_BCRYPT_COST: "10",
      NCOD_LOG_LEVEL: "warning",
      NCOD_DEMO: "false",
      NCOD_REPORT_INTERVAL_SECONDS: "1",
      NCOD_LOGIN_IP_MAX_FAILURES: "10000",
      NCOD_REGISTRATIONS_PER_HOUR: "10000",
      NCOD_ENROLLMENTS_PER_HOUR: "10000",
      ...database,
      ...settings
    }
    const keys = yield* Effect.promise(() => runProgram(launcher, ["keys", "--dir", keysDir], env))
    if (keys.code !== 0) return yield* Effect.die(new Error(`ncod-master keys failed: ${keys.stderr}`))
    if (options.fullChain) fs.writeFileSync(fullChainFile, fs.readFileSync(path.join(keysDir, "server.crt"), "utf8") + fs.readFileSync(path.join(keysDir, "ca.crt"), "utf8"))
    const admin = { username: "root-admin", password: "correct horse battery staple" }
    const created = yield* Effect.promise(() => runProgram(launcher, ["create-admin", "--username", admin.username, "--password-stdin"], env, `${admin.password}\n`))
    if (created.code !== 0) return yield* Effect.die(new Error(`ncod-master create-admin failed: ${created.stderr}${created.stdout}`))

    const output: Array<string> = []
    let child: ChildProcess | undefined
    const start = () =>
      new Promise<void>((resolve, reject) => {
        const proc = spawnProgram(launcher, ["serve"], env)
        child = proc
        let seen = ""
        const timer = setTimeout(() => reject(new Error(`the master did not start within 90 s:\n${seen}`)), 90_000)
        const onData = (chunk: unknown) => {
          const text = String(chunk)
          output.push(text)
          seen += text
          if (/ncod master is running at/.test(seen)) {
            clearTimeout(timer)
            resolve()
          }
        }
        proc.stdout?.on("data", onData)
        proc.stderr?.on("data", onData)
        proc.once("exit", (code) => {
          clearTimeout(timer)
          reject(new Error(`the master exited with ${code}:\n${seen}`))
        })
      })
    const stop = async () => {
      if (child) await stopProcess(child)
      child = undefined
    }
    yield* Effect.acquireRelease(Effect.promise(start), () => Effect.promise(stop))
    const caFile = path.join(keysDir, "ca.crt")
    return {
      url: `https://127.0.0.1:${port}`,
      port,
      ca: fs.readFileSync(caFile, "utf8"),
      caFile,
      keysDir,
      admin,
      output,
      stop,
      start,
      running: () => child !== undefined && child.exitCode === null,
      databaseUrl: database.DATABASE_URL
    } satisfies MasterProcess
  })

/** The typed API client (derived from the contract), optionally with a bearer token. */
export const api = (master: MasterProcess, token?: string) =>
  HttpApiClient.make(NcodApi, {
    baseUrl: master.url,
    ...(token === undefined ? {} : { transformClient: HttpClient.mapRequest(HttpClientRequest.bearerToken(token)) })
  }).pipe(Effect.provide(tlsHttpClientLayer(master.ca)))

export const adminApi = (master: MasterProcess) =>
  Effect.gen(function* () {
    const anonymous = yield* api(master)
    const tokens = yield* anonymous.auth.login({ payload: { username: master.admin.username, password: master.admin.password, audience: "admin" } })
    return yield* api(master, tokens.accessToken)
  })

/**
 * One row of the master's `slaves` table, read straight from its database. The inventory API serves
 * a cache that a change of `degraded` alone does not invalidate (see the report): the stored state
 * is what this checks. Null with the embedded database.
 */
export const storedSlave = (master: MasterProcess, slaveId: string) =>
  Effect.promise(async () => {
    if (master.databaseUrl === undefined) return null
    const client = new pg.Client({ connectionString: master.databaseUrl })
    await client.connect()
    try {
      const result = await client.query<{ degraded: boolean; access_mode: string; status: string }>("select degraded, access_mode, status from slaves where id = $1", [slaveId])
      return result.rows[0] ?? null
    } finally {
      await client.end()
    }
  })

export const enrollmentToken = (master: MasterProcess, label: string) =>
  Effect.flatMap(adminApi(master), (admin) => admin.adminFleet.createEnrollmentToken({ payload: { label, maxUses: 1, expiresInHours: 1 } }))
