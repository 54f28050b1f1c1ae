import { DatabaseInfo, parseDatabaseUrl } from "@ncod/sql"
import { Effect, Layer, Option, Redacted } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { type AdminExists, createAdmin, type CreateAdminInput, ensureFirstAdmin } from "./accounts/AdminBootstrap.js"
import { type MasterConfig, resolvePaths } from "./config/MasterConfig.js"
import { databaseLayer, prepareSchema } from "./Database.js"
import { startDemoFleet } from "./demo/DemoFleet.js"
import { HttpServerLive, listeningAddress, routes } from "./http/HttpServer.js"
import { loadTls } from "./http/Tls.js"
import { generateKeys, KeyFiles } from "./keys/KeysTool.js"
import { servicesLayer } from "./Services.js"

export interface MasterOptions {
  /** Development mode: create missing keys and a first admin, so `npm start` just works. */
  readonly dev: boolean
  /**
   * Set when this process is one of several workers (NCOD_WORKERS): the primary has prepared keys
   * and schema, and one-time development setup (first admin, demo fleet) is worker 0's alone.
   */
  readonly workerIndex?: number
}

export interface RunningMaster {
  readonly url: string
  readonly tls: boolean
  readonly database: { readonly kind: "postgres" | "embedded"; readonly target: string }
  readonly firstAdmin: Option.Option<{ readonly username: string; readonly password: Redacted.Redacted<string> }>
  readonly keysDir: string
  /** How many simulated slaves the demo fleet runs (0 without it). */
  readonly demoSlaves: number
  /** Creates an admin through the running master's services (tests, first-run tooling). */
  readonly createAdmin: (input: CreateAdminInput) => Effect.Effect<unknown, AdminExists>
}

/** `--dev` without configured certificates: create missing keys so `npm start` just works. */
export const developmentKeys = (config: MasterConfig, dev: boolean) =>
  Effect.gen(function* () {
    if (!dev || config.insecureHttp || Option.isSome(config.tlsCert)) return
    const keysDir = resolvePaths(config).keysDir
    const report = yield* generateKeys({ dir: keysDir, force: false, hostnames: [] })
    if (report.written.length > 0) {
      yield* Effect.logInfo("generated development keys").pipe(Effect.annotateLogs({ dir: keysDir, files: report.written.join(",") }))
    }
  })

/**
 * Starts the whole master inside the current scope: keys, TLS, database, schema, first admin, HTTP.
 * Each step fails with a typed error that the CLI turns into one readable line.
 */
export const startMaster = (config: MasterConfig, options: MasterOptions) =>
  Effect.gen(function* () {
    const paths = resolvePaths(config)
    // a typo in DATABASE_URL should be the first thing reported, before keys or ports
    if (Option.isSome(config.databaseUrl)) yield* parseDatabaseUrl(Redacted.value(config.databaseUrl.value))
    const worker = options.workerIndex !== undefined
    const oneTimeSetup = options.dev && (options.workerIndex ?? 0) === 0
    if (!worker) yield* developmentKeys(config, options.dev)
    const tls = config.insecureHttp ? undefined : yield* loadTls(paths.tlsCert, paths.tlsKey)
    if (tls === undefined) {
      yield* Effect.logWarning("serving plain HTTP because NCOD_INSECURE_HTTP=true: passwords and tokens cross the network in clear text")
    }

    const database = yield* Layer.build(databaseLayer(config, paths.embeddedDatabaseDir))
    yield* prepareSchema(config.migrateOnStart && !worker).pipe(Effect.provide(database))
    const publicUrl = Option.match(config.publicUrl, {
      onNone: () => `${tls ? "https" : "http"}://${config.host === "0.0.0.0" || config.host === "::" ? os.hostname() : config.host}:${config.port}`,
      onSome: (url) => url.toString().replace(/\/$/, "")
    })
    const services = yield* Layer.build(
      servicesLayer(config, {
        keysDir: paths.keysDir,
        publicUrl,
        tlsNotAfter: tls?.notAfter,
        backupStatusFile: config.backupStatusFile
      }).pipe(Layer.provideMerge(Layer.succeedContext(database)))
    )
    const firstAdmin = oneTimeSetup ? yield* ensureFirstAdmin.pipe(Effect.provide(services)) : Option.none()

    const server = yield* Layer.build(
      HttpServerLive(routes(config.metricsToken, [{ prefix: "/admin", dir: paths.adminDir }, { prefix: "/", dir: paths.webDir }]), {
        host: config.host,
        port: config.port,
        tls,
        corsOrigins: config.corsOrigins,
        maxBodyBytes: config.maxBodyBytes,
        keepAliveSeconds: config.keepAliveSeconds
      }).pipe(Layer.provide(Layer.succeedContext(services)))
    )
    const address = yield* listeningAddress.pipe(Effect.provide(server))
    const hostForUrl = address.hostname === "0.0.0.0" || address.hostname === "::" ? "localhost" : address.hostname
    const info = yield* Effect.provide(DatabaseInfo, database)
    const url = `${tls ? "https" : "http"}://${hostForUrl}:${address.port}`
    const demoSlaves =
      oneTimeSetup && config.demo
        ? yield* startDemoFleet(url.replace("localhost", "127.0.0.1"), tls ? fs.readFileSync(path.join(paths.keysDir, KeyFiles.caCert), "utf8") : undefined).pipe(
            Effect.provide(services)
          )
        : 0
    return {
      url,
      demoSlaves,
      tls: tls !== undefined,
      database: info,
      firstAdmin,
      keysDir: paths.keysDir,
      createAdmin: (input: CreateAdminInput) => createAdmin(input).pipe(Effect.provide(services))
    } satisfies RunningMaster
  }).pipe(
    // no span exporter is configured: spans (one per repository call and per SQL statement) would
    // only cost time. Fibers forked while the master starts — the server's included — inherit this.
    Effect.withTracerEnabled(false)
  )

export { KeyFiles }
