import { Config, LogLevel, Option, type Redacted } from "effect"
import * as os from "node:os"
import * as path from "node:path"

const withDefault = <A>(config: Config.Config<A>, value: A) => config.pipe(Config.withDefault(value))

/** Validation inside the name, so a bad value is reported as `NAME: problem`. */
const checked = <A>(name: string, config: Config.Config<A>, message: string, validation: (a: A) => boolean) =>
  Config.nested(config.pipe(Config.validate({ message, validation })), name)

const commaList = (name: string, message: string, validation: (entry: string) => boolean) =>
  withDefault(
    checked(
      name,
      Config.string().pipe(
        Config.map((raw) => raw.split(",").map((entry) => entry.trim()).filter((entry) => entry.length > 0))
      ),
      message,
      (entries) => entries.every(validation)
    ),
    [] as ReadonlyArray<string>
  )

const logLevels = {
  trace: LogLevel.Trace,
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warning: LogLevel.Warning,
  warn: LogLevel.Warning,
  error: LogLevel.Error,
  fatal: LogLevel.Fatal,
  none: LogLevel.None
} as const

const intBetween = (name: string, fallback: number, min: number, max: number) =>
  withDefault(checked(name, Config.integer(), `must be an integer from ${min} to ${max}`, (n) => n >= min && n <= max), fallback)

/** One core is left to the event loop: a sign-in flood must not starve every other request. */
const bcryptConcurrencyDefault = Math.max(1, os.availableParallelism() - 1)

/**
 * Every setting of the master, read from the environment (and the optional env file). The table in
 * master/README.md documents each one; a test keeps the two in step.
 */
export const MasterConfig = Config.all({
  host: withDefault(Config.string("NCOD_HOST"), "0.0.0.0"),
  // 0 picks a free port (tests); anything else must be a real port
  port: intBetween("NCOD_PORT", 8443, 0, 65535),
  insecureHttp: withDefault(Config.boolean("NCOD_INSECURE_HTTP"), false),
  publicUrl: Config.option(Config.url("NCOD_PUBLIC_URL")),
  dataDir: withDefault(Config.nonEmptyString("NCOD_DATA_DIR"), ".ncod"),
  keysDir: Config.option(Config.nonEmptyString("NCOD_KEYS_DIR")),
  tlsCert: Config.option(Config.nonEmptyString("NCOD_TLS_CERT")),
  tlsKey: Config.option(Config.nonEmptyString("NCOD_TLS_KEY")),
  databaseUrl: Config.option(Config.redacted("DATABASE_URL")),
  databasePoolSize: intBetween("NCOD_DB_POOL_SIZE", 10, 1, 200),
  redisUrl: Config.option(Config.redacted("REDIS_URL")),
  redisPrefix: withDefault(Config.nonEmptyString("NCOD_REDIS_PREFIX"), "ncod:"),
  migrateOnStart: withDefault(Config.boolean("NCOD_MIGRATE_ON_START"), true),
  corsOrigins: commaList(
    "NCOD_CORS_ORIGINS",
    "must be a comma-separated list of origins like https://portal.example.com (no wildcard)",
    (origin) => /^https?:\/\/[^/*\s]+$/.test(origin)
  ),
  bcryptCost: intBetween("NCOD_BCRYPT_COST", 12, 10, 15),
  bcryptConcurrency: intBetween("NCOD_BCRYPT_CONCURRENCY", bcryptConcurrencyDefault, 1, 64),
  maxBodyBytes: intBetween("NCOD_MAX_BODY_BYTES", 1024 * 1024, 1024, 64 * 1024 * 1024),
  keepAliveSeconds: intBetween("NCOD_HTTP_KEEPALIVE_SECONDS", 75, 1, 3600),
  // one Node process tops out near one core of report handling; more take the other cores
  workers: intBetween("NCOD_WORKERS", 1, 1, 64),
  trustProxy: withDefault(Config.boolean("NCOD_TRUST_PROXY"), false),
  accessTokenTtlSeconds: intBetween("NCOD_ACCESS_TOKEN_TTL_SECONDS", 600, 30, 3600),
  refreshTokenTtlSeconds: intBetween("NCOD_REFRESH_TOKEN_TTL_SECONDS", 14 * 24 * 3600, 300, 90 * 24 * 3600),
  loginMaxFailures: intBetween("NCOD_LOGIN_MAX_FAILURES", 5, 1, 100),
  loginIpMaxFailures: intBetween("NCOD_LOGIN_IP_MAX_FAILURES", 20, 1, 10_000),
  loginLockoutSeconds: intBetween("NCOD_LOGIN_LOCKOUT_SECONDS", 900, 1, 86_400),
  registrationsPerHour: intBetween("NCOD_REGISTRATIONS_PER_HOUR", 10, 1, 10_000),
  reportIntervalSeconds: intBetween("NCOD_REPORT_INTERVAL_SECONDS", 30, 1, 3600),
  offlineAfterMissed: intBetween("NCOD_OFFLINE_AFTER_MISSED", 3, 1, 100),
  leaseDefaultMinutes: intBetween("NCOD_LEASE_DEFAULT_MINUTES", 120, 1, 7 * 24 * 60),
  leaseMaxMinutes: intBetween("NCOD_LEASE_MAX_MINUTES", 24 * 60, 1, 7 * 24 * 60),
  leaseKeepAliveSeconds: intBetween("NCOD_LEASE_KEEPALIVE_SECONDS", 60, 2, 3600),
  leaseGraceSeconds: intBetween("NCOD_LEASE_GRACE_SECONDS", 300, 1, 24 * 3600),
  leaseWarnMinutes: intBetween("NCOD_LEASE_WARN_MINUTES", 5, 1, 120),
  claimWindowSeconds: intBetween("NCOD_CLAIM_WINDOW_SECONDS", 120, 5, 3600),
  enrollmentsPerHour: intBetween("NCOD_ENROLLMENTS_PER_HOUR", 120, 1, 1_000_000),
  metricsToken: Config.option(Config.redacted("NCOD_METRICS_TOKEN")),
  backupStatusFile: Config.option(Config.nonEmptyString("NCOD_BACKUP_STATUS_FILE")),
  demo: withDefault(Config.boolean("NCOD_DEMO"), true),
  webDir: Config.option(Config.nonEmptyString("NCOD_WEB_DIR")),
  adminDir: Config.option(Config.nonEmptyString("NCOD_ADMIN_DIR")),
  logLevel: withDefault(
    Config.nested(
      Config.literal("trace", "debug", "info", "warning", "warn", "error", "fatal", "none")().pipe(
        Config.map((level) => logLevels[level])
      ),
      "NCOD_LOG_LEVEL"
    ),
    LogLevel.Info
  ),
  logFormat: withDefault(Config.literal("json", "pretty")("NCOD_LOG_FORMAT"), "json" as const)
})

export type MasterConfig = Config.Config.Success<typeof MasterConfig>

// the web and admin builds sit beside master/ in the repository and in the container image
const repository = new URL("../../..", import.meta.url).pathname

/** Paths derived from the settings: the keys directory and the TLS files default to the data dir. */
export const resolvePaths = (config: Pick<MasterConfig, "dataDir" | "keysDir" | "tlsCert" | "tlsKey" | "webDir" | "adminDir">) => {
  const dataDir = path.resolve(config.dataDir)
  const keysDir = path.resolve(Option.getOrElse(config.keysDir, () => path.join(dataDir, "keys")))
  return {
    dataDir,
    keysDir,
    embeddedDatabaseDir: path.join(dataDir, "pgdata"),
    tlsCert: path.resolve(Option.getOrElse(config.tlsCert, () => path.join(keysDir, "server.crt"))),
    tlsKey: path.resolve(Option.getOrElse(config.tlsKey, () => path.join(keysDir, "server.key"))),
    webDir: path.resolve(Option.getOrElse(config.webDir, () => path.join(repository, "web", "dist"))),
    adminDir: path.resolve(Option.getOrElse(config.adminDir, () => path.join(repository, "admin", "dist")))
  }
}

export type DatabaseUrl = Option.Option<Redacted.Redacted<string>>
