import { Command, Options, Prompt } from "@effect/cli"
import { Console, Effect, Layer, Option, Redacted } from "effect"
import cluster from "node:cluster"
import { createAdmin } from "../accounts/AdminBootstrap.js"
import { Passwords } from "../accounts/Passwords.js"
import { runPrimary } from "../cluster/Primary.js"
import { announceReady, workerIndex } from "../cluster/Worker.js"
import { MasterConfig, resolvePaths } from "../config/MasterConfig.js"
import { databaseLayer, prepareSchema } from "../Database.js"
import { RepositoriesLive } from "../Services.js"
import { generateKeys } from "../keys/KeysTool.js"
import { startMaster } from "../Master.js"
import { loggingLayer } from "../observability/Logging.js"
import { banner } from "./banner.js"

const readStdinPassword = Effect.promise(async () => {
  const chunks: Array<Buffer> = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "")
}).pipe(
  Effect.filterOrFail(
    (password) => password.length >= 12,
    () => new Error("the password from standard input must have at least 12 characters")
  )
)

/** Runs `effect` with the logger the configuration asks for. */
const withConfiguredLogging = <A, E, R>(effect: (config: MasterConfig) => Effect.Effect<A, E, R>) =>
  Effect.flatMap(MasterConfig, (config) =>
    effect(config).pipe(Effect.provide(loggingLayer(config.logFormat, config.logLevel)))
  )

const serve = Command.make(
  "serve",
  {
    dev: Options.boolean("dev").pipe(
      Options.withDescription("development mode: create missing keys and a first admin (what `npm start` uses)")
    )
  },
  ({ dev }) =>
    withConfiguredLogging((config) =>
      Effect.gen(function* () {
        if (config.workers > 1 && cluster.isPrimary) {
          const running = yield* runPrimary(config, { dev })
          yield* Effect.logInfo("master started").pipe(Effect.annotateLogs({ url: running.url, workers: running.workers }))
          yield* Console.log(`${running.banner}\n  ${running.workers} worker processes share the port (NCOD_WORKERS)`)
          return yield* Effect.never
        }
        const index = workerIndex()
        const master = yield* startMaster(config, { dev, ...(Option.isSome(index) ? { workerIndex: index.value } : {}) })
        if (Option.isSome(index)) return yield* Effect.zipRight(announceReady(master.url, banner(master)), Effect.never)
        yield* Effect.logInfo("master started").pipe(
          Effect.annotateLogs({ url: master.url, database: master.database.kind })
        )
        yield* Console.log(banner(master))
        yield* Effect.never
      }).pipe(
        Effect.scoped,
        Effect.onInterrupt(() => Effect.logInfo("master stopped"))
      )
    )
).pipe(Command.withDescription("run the master: HTTPS API, live events, fleet supervision"))

const migrate = Command.make("migrate", {}, () =>
  withConfiguredLogging((config) =>
    Effect.gen(function* () {
      const paths = resolvePaths(config)
      yield* prepareSchema(true).pipe(Effect.provide(databaseLayer(config, paths.embeddedDatabaseDir)))
      yield* Console.log("database schema is up to date")
    })
  )
).pipe(Command.withDescription("apply pending database migrations and exit"))

const createAdminCommand = Command.make(
  "create-admin",
  {
    username: Options.text("username").pipe(Options.withDescription("login name of the new admin")),
    displayName: Options.text("display-name").pipe(Options.withDefault("Administrator")),
    generatePassword: Options.boolean("generate-password").pipe(
      Options.withDescription("generate a one-time password (printed once) instead of prompting")
    ),
    passwordStdin: Options.boolean("password-stdin").pipe(
      Options.withDescription("read the password from standard input (for automation)")
    )
  },
  ({ displayName, generatePassword, passwordStdin, username }) =>
    withConfiguredLogging((config) =>
      Effect.gen(function* () {
        const password = generatePassword
          ? Option.none<Redacted.Redacted<string>>()
          : passwordStdin
            ? Option.some(Redacted.make(yield* readStdinPassword))
            : Option.some(
              yield* Prompt.password({
                message: "Password for the new admin (at least 12 characters)",
                validate: (value) =>
                  value.length >= 12 ? Effect.succeed(value) : Effect.fail("use at least 12 characters")
              })
            )
        const paths = resolvePaths(config)
        const created = yield* prepareSchema(config.migrateOnStart).pipe(
          Effect.zipRight(createAdmin({ username, displayName, password })),
          Effect.provide(
            Layer.mergeAll(RepositoriesLive, Passwords.layer(config.bcryptCost, config.bcryptConcurrency)).pipe(
              Layer.provideMerge(databaseLayer(config, paths.embeddedDatabaseDir))
            )
          )
        )
        yield* Console.log(
          created.generated
            ? `admin ${created.user.username} created; one-time password: ${Redacted.value(created.password)}`
            : `admin ${created.user.username} created`
        )
      })
    )
).pipe(Command.withDescription("create an approved admin account"))

const keys = Command.make(
  "keys",
  {
    dir: Options.directory("dir").pipe(Options.optional, Options.withDescription("keys directory (default: NCOD_KEYS_DIR or <data dir>/keys)")),
    force: Options.boolean("force").pipe(Options.withDescription("replace existing keys and certificates")),
    hostname: Options.text("hostname").pipe(
      Options.repeated,
      Options.withDescription("extra DNS name or IP for the server certificate (repeatable)")
    )
  },
  ({ dir, force, hostname }) =>
    Effect.gen(function* () {
      const config = yield* MasterConfig
      const target = Option.getOrElse(dir, () => resolvePaths(config).keysDir)
      const report = yield* generateKeys({ dir: target, force, hostnames: hostname })
      yield* Console.log(`keys in ${target}`)
      for (const file of report.written) yield* Console.log(`  written  ${file}`)
      for (const file of report.kept) yield* Console.log(`  kept     ${file} (use --force to replace)`)
      for (const warning of report.warnings) yield* Console.log(`  warning: ${warning}`)
    })
).pipe(Command.withDescription("generate the JWT key pair, a local CA and the server certificate"))

export const masterCli = Command.make("ncod-master").pipe(
  Command.withDescription("ncod master: inventory and access control for USB devices shared with VirtualHere"),
  Command.withSubcommands([serve, migrate, createAdminCommand, keys])
)
