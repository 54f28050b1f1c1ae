import { Effect, Either, ParseResult, Schema } from "effect"
import { AgentFileError, readIfExists } from "./files.js"

const seconds = (min: number, max: number) => Schema.Number.pipe(Schema.between(min, max))
const optionalPath = Schema.optional(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(4096)))

/**
 * `config.json`: the agent's tunables. Every key is optional; `install.sh` writes the ones a
 * systemd install needs and never overwrites the file afterwards. Unknown keys are refused so a
 * typo does not silently fall back to a default.
 */
export const SettingsFile = Schema.Struct({
  /** How often the VirtualHere client and sysfs are read (events from vhusbd trigger a scan at once). */
  scanIntervalSeconds: Schema.optional(seconds(0.1, 3600)),
  /** Upper bound on the report interval; the master's `nextReportInSeconds` is obeyed below it. */
  reportIntervalSeconds: Schema.optional(Schema.NullOr(seconds(0.2, 3600))),
  /** Retry delays when the master is away: from base, doubling, capped, jittered. */
  backoffBaseSeconds: Schema.optional(seconds(0.05, 60)),
  backoffCapSeconds: Schema.optional(seconds(0.1, 3600)),
  /** A decommissioned or rejected slave asks again this often, in case an admin re-admits it. */
  decommissionedRetrySeconds: Schema.optional(seconds(1, 86_400)),
  /** Grants not confirmed by the master for this long are dropped: the hook then denies (fail closed). */
  grantsMaxAgeSeconds: Schema.optional(seconds(5, 86_400)),
  sysfsDir: optionalPath,
  vhClientCommandPipe: optionalPath,
  vhClientResponsePipe: optionalPath,
  vhClientTimeoutSeconds: Schema.optional(seconds(0.2, 60)),
  vhusbdHost: Schema.optional(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(255))),
  vhusbdPort: Schema.optional(Schema.Int.pipe(Schema.between(1, 65535))),
  /** vhusbd's config.ini, read to tell whether the authorization hook is installed; null: do not check. */
  vhusbdConfigFile: Schema.optional(Schema.NullOr(Schema.String.pipe(Schema.maxLength(4096)))),
  /** argv that restarts vhusbd, e.g. ["systemctl", "restart", "vhusbd.service"]; null: never restart. */
  vhusbdRestartCommand: Schema.optional(Schema.NullOr(Schema.Array(Schema.String).pipe(Schema.minItems(1)))),
  vhusbdRestartAfterSeconds: Schema.optional(seconds(1, 3600)),
  vhusbdRestartCooldownSeconds: Schema.optional(seconds(1, 86_400)),
  watchIntervalSeconds: Schema.optional(seconds(0.1, 3600))
})
export type SettingsFile = typeof SettingsFile.Type

export interface AgentSettings {
  readonly scanIntervalSeconds: number
  readonly reportIntervalSeconds: number | null
  readonly backoffBaseSeconds: number
  readonly backoffCapSeconds: number
  readonly decommissionedRetrySeconds: number
  readonly grantsMaxAgeSeconds: number
  readonly sysfsDir: string
  readonly vhClientCommandPipe: string
  readonly vhClientResponsePipe: string
  readonly vhClientTimeoutSeconds: number
  readonly vhusbdHost: string
  readonly vhusbdPort: number
  readonly vhusbdConfigFile: string | null
  readonly vhusbdRestartCommand: ReadonlyArray<string> | null
  readonly vhusbdRestartAfterSeconds: number
  readonly vhusbdRestartCooldownSeconds: number
  readonly watchIntervalSeconds: number
}

export const defaultSettings: AgentSettings = {
  scanIntervalSeconds: 1,
  reportIntervalSeconds: null,
  backoffBaseSeconds: 1,
  backoffCapSeconds: 60,
  decommissionedRetrySeconds: 300,
  grantsMaxAgeSeconds: 180,
  sysfsDir: "/sys/bus/usb/devices",
  vhClientCommandPipe: "/tmp/vhclient",
  vhClientResponsePipe: "/tmp/vhclient_response",
  vhClientTimeoutSeconds: 5,
  vhusbdHost: "127.0.0.1",
  vhusbdPort: 7575,
  vhusbdConfigFile: "/usr/local/etc/virtualhere/config.ini",
  vhusbdRestartCommand: null,
  vhusbdRestartAfterSeconds: 15,
  vhusbdRestartCooldownSeconds: 120,
  watchIntervalSeconds: 5
}

/** The environment variable that overrides each setting (tests and containers use them). */
export const settingsEnv: { readonly [K in keyof AgentSettings]: string } = {
  scanIntervalSeconds: "NCOD_SLAVE_SCAN_INTERVAL_SECONDS",
  reportIntervalSeconds: "NCOD_SLAVE_REPORT_INTERVAL_SECONDS",
  backoffBaseSeconds: "NCOD_SLAVE_BACKOFF_BASE_SECONDS",
  backoffCapSeconds: "NCOD_SLAVE_BACKOFF_CAP_SECONDS",
  decommissionedRetrySeconds: "NCOD_SLAVE_DECOMMISSIONED_RETRY_SECONDS",
  grantsMaxAgeSeconds: "NCOD_SLAVE_GRANTS_MAX_AGE_SECONDS",
  sysfsDir: "NCOD_SLAVE_SYSFS_DIR",
  vhClientCommandPipe: "NCOD_SLAVE_VHCLIENT_COMMAND_PIPE",
  vhClientResponsePipe: "NCOD_SLAVE_VHCLIENT_RESPONSE_PIPE",
  vhClientTimeoutSeconds: "NCOD_SLAVE_VHCLIENT_TIMEOUT_SECONDS",
  vhusbdHost: "NCOD_SLAVE_VHUSBD_HOST",
  vhusbdPort: "NCOD_SLAVE_VHUSBD_PORT",
  vhusbdConfigFile: "NCOD_SLAVE_VHUSBD_CONFIG",
  vhusbdRestartCommand: "NCOD_SLAVE_VHUSBD_RESTART_COMMAND",
  vhusbdRestartAfterSeconds: "NCOD_SLAVE_VHUSBD_RESTART_AFTER_SECONDS",
  vhusbdRestartCooldownSeconds: "NCOD_SLAVE_VHUSBD_RESTART_COOLDOWN_SECONDS",
  watchIntervalSeconds: "NCOD_SLAVE_WATCH_INTERVAL_SECONDS"
}

/** Environment text → the JSON value the file would hold (empty means "none" for nullable keys). */
const fromEnvText = (key: keyof AgentSettings, text: string): unknown => {
  const value = text.trim()
  switch (key) {
    case "sysfsDir":
    case "vhClientCommandPipe":
    case "vhClientResponsePipe":
    case "vhusbdHost":
      return value
    case "vhusbdConfigFile":
      return value === "" ? null : value
    case "vhusbdRestartCommand":
      return value === "" ? null : value.split(/\s+/)
    case "reportIntervalSeconds":
      return value === "" ? null : Number(value)
    default:
      return value === "" ? Number.NaN : Number(value)
  }
}

const describe = (error: ParseResult.ParseError) =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .map((issue) => `${issue.path.join(".") || "(file)"}: ${issue.message}`)
    .join("; ")

/** Defaults, then `config.json`, then the environment. */
export const loadSettings = (file: string, env: NodeJS.ProcessEnv = process.env) =>
  Effect.gen(function* () {
    const text = yield* readIfExists(file)
    let fromFile: SettingsFile = {}
    if (text !== undefined) {
      const json = yield* Effect.try({
        try: () => JSON.parse(text) as unknown,
        catch: () => new AgentFileError({ path: file, reason: "is not valid JSON" })
      })
      const decoded = Schema.decodeUnknownEither(SettingsFile, { onExcessProperty: "error" })(json)
      if (Either.isLeft(decoded)) return yield* new AgentFileError({ path: file, reason: describe(decoded.left) })
      fromFile = decoded.right
    }
    const fromEnv: Record<string, unknown> = {}
    for (const key of Object.keys(settingsEnv) as Array<keyof AgentSettings>) {
      const text = env[settingsEnv[key]]
      if (text !== undefined) fromEnv[key] = fromEnvText(key, text)
    }
    const decodedEnv = Schema.decodeUnknownEither(SettingsFile)(fromEnv)
    if (Either.isLeft(decodedEnv)) {
      return yield* new AgentFileError({ path: "environment", reason: describe(decodedEnv.left).replace(/^(\w+)/, (key) => settingsEnv[key as keyof AgentSettings] ?? key) })
    }
    const merged = { ...defaultSettings } as Record<string, unknown>
    for (const source of [fromFile, decodedEnv.right]) {
      for (const [key, value] of Object.entries(source)) if (value !== undefined) merged[key] = value
    }
    return merged as unknown as AgentSettings
  })
