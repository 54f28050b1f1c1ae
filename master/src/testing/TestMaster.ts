import { HttpApiClient, HttpClient } from "@effect/platform"
import { NcodApi } from "@ncod/core"
import { tlsHttpClientLayer } from "@ncod/core/node"
import { scopedServerDatabase, scopedTempDir, serverUrl } from "@ncod/sql/testing"
import { Clock, ConfigProvider, Context, Effect, Layer, Logger, LogLevel, Option, Redacted } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { MasterConfig } from "../config/MasterConfig.js"
import { generateKeys, KeyFiles } from "../keys/KeysTool.js"
import { startMaster } from "../Master.js"
import { jsonLineLogger } from "../observability/Logging.js"

export interface TestMasterInfo {
  readonly url: string
  readonly ca: string
  readonly dataDir: string
  readonly keysDir: string
  /** An approved admin created at start (no password change pending). */
  readonly admin: { readonly username: string; readonly password: string }
  /** Every log line the master wrote so far, as JSON text, for "no secrets in logs" checks. */
  readonly logs: ReadonlyArray<string>
  /** Its database on the PostgreSQL server (undefined with the embedded one). */
  readonly databaseUrl: string | undefined
}

/**
 * A real master for integration tests: real keys and HTTPS on a free loopback port, a throwaway
 * database (on DATABASE_URL's server, else embedded), everything removed afterwards.
 */
export class TestMaster extends Context.Tag("@ncod/master/TestMaster")<TestMaster, TestMasterInfo>() {}

export const makeTestMaster = (settings: Record<string, string> = {}) =>
  Effect.gen(function* () {
    const dataDir = yield* scopedTempDir("ncod-test-master-")
    // masters meant to act as one installation share their keys (tokens must verify on each)
    const keysDir = settings["NCOD_KEYS_DIR"] ?? path.join(dataDir, "keys")
    yield* generateKeys({ dir: keysDir, force: false, hostnames: [] })
    const base = serverUrl()
    const database = base ? { DATABASE_URL: (yield* scopedServerDatabase(base)).url } : {}
    const redisUrl = process.env["REDIS_URL"]
    // each test master gets its own Redis key space: lockouts and challenges must not leak between files
    const redis = redisUrl ? { REDIS_URL: redisUrl, NCOD_REDIS_PREFIX: `ncod-test-${path.basename(dataDir)}:` } : {}
    const env = new Map(
      Object.entries({
        NCOD_HOST: "127.0.0.1",
        NCOD_PORT: "0",
        NCOD_DATA_DIR: dataDir,
        NCOD_BCRYPT_COST: "10",
        NCOD_LOG_LEVEL: "warning",
        ...database,
        ...redis,
        ...settings
      })
    )
    const config = yield* MasterConfig.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(env)))
    const logs: Array<string> = []
    const capture = Logger.replace(Logger.defaultLogger, Logger.map(jsonLineLogger, (line) => void logs.push(line)))
    const master = yield* startMaster(config, { dev: false }).pipe(
      Effect.provide(Layer.merge(capture, Logger.minimumLogLevel(LogLevel.Debug))),
      // tests may run on the TestClock; the master's own timers (sweeps, batches) keep real time
      Effect.withClock(Clock.make())
    )
    const admin = { username: "root-admin", password: "correct horse battery staple" }
    yield* master
      .createAdmin({ username: admin.username, displayName: "Root Admin", password: Option.some(Redacted.make(admin.password)) })
      .pipe(Effect.catchTag("AdminExists", () => Effect.void))
    return {
      url: master.url,
      ca: fs.readFileSync(path.join(keysDir, KeyFiles.caCert), "utf8"),
      dataDir,
      keysDir,
      admin,
      logs,
      databaseUrl: env.get("DATABASE_URL")
    } satisfies TestMasterInfo
  })

export const testMasterLayer = (settings: Record<string, string> = {}) =>
  Layer.scoped(TestMaster, makeTestMaster(settings))

/** An HttpClient that trusts the test master's CA. */
export const testHttpClientLayer = Layer.unwrapEffect(Effect.map(TestMaster, (master) => tlsHttpClientLayer(master.ca)))

/** The typed client derived from the API definition, pointed at the test master. */
export const typedClient = Effect.gen(function* () {
  const master = yield* TestMaster
  return yield* HttpApiClient.make(NcodApi, { baseUrl: master.url })
})

/** A request against the test master with the raw response, for headers and status checks. */
export const rawGet = (pathname: string, headers: Record<string, string> = {}) =>
  Effect.gen(function* () {
    const master = yield* TestMaster
    const client = yield* HttpClient.HttpClient
    return yield* client.get(`${master.url}${pathname}`, { headers })
  })
