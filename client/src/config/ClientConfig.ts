import { Config, Context, Effect, Option, Schema } from "effect"
import * as os from "node:os"
import { ConfigFileError, readOptionalFile, writePrivateFile } from "./files.js"
import { configDirFor, filePath } from "./Paths.js"

/** What `config.json` may hold. Every key is optional; environment variables override them. */
export const StoredConfig = Schema.Struct({
  masterUrl: Schema.optional(Schema.String),
  username: Schema.optional(Schema.String),
  /** The VirtualHere client id to announce, `Full Name (username)`, when the OS guess is wrong. */
  clientIdentity: Schema.optional(Schema.String),
  vhCommandPipe: Schema.optional(Schema.String),
  vhResponsePipe: Schema.optional(Schema.String),
  vhWindowsPipe: Schema.optional(Schema.String),
  /** Talk to the client through `<binary> -t` instead of its pipes. */
  vhBinary: Schema.optional(Schema.String),
  keepAliveSeconds: Schema.optional(Schema.Number)
})
export type StoredConfig = typeof StoredConfig.Type

export type Language = "en" | "zh"

export interface ClientSettings {
  readonly dir: string
  readonly stored: StoredConfig
  readonly masterUrl: Option.Option<string>
  readonly language: Language
  readonly clientIdentity: Option.Option<string>
  readonly vh: {
    readonly commandPipe: string | undefined
    readonly responsePipe: string | undefined
    readonly windowsPipe: string | undefined
    readonly binary: string | undefined
  }
  /** How often a held lease is kept alive (the master suspends after twice its own interval). */
  readonly keepAliveSeconds: number
  /** The cap of the reconnect backoff. */
  readonly reconnectMaxSeconds: number
  /** How often the VirtualHere binding of a held device is checked. */
  readonly vhCheckSeconds: number
  /** How long connecting waits for the hub's devices and for the bind to show. */
  readonly bindTimeoutSeconds: number
}

export class Settings extends Context.Tag("@ncod/client/Settings")<Settings, ClientSettings>() {}

/** zh when the locale says Chinese (LC_ALL, then LC_MESSAGES, then LANG), else en. */
export const languageFrom = (env: Readonly<Record<string, string | undefined>>): Language => {
  const locale = env["LC_ALL"] || env["LC_MESSAGES"] || env["LANG"] || ""
  return /^zh/i.test(locale) ? "zh" : "en"
}

export const acceptLanguage = (language: Language) => (language === "zh" ? "zh-CN,zh;q=0.9,en;q=0.5" : "en")

const decodeStored = Schema.decodeUnknown(Schema.parseJson(StoredConfig))

export const readStoredConfig = (dir: string) =>
  Effect.flatMap(readOptionalFile(filePath(dir, "config")), (text) =>
    Option.match(text, {
      onNone: () => Effect.succeed<StoredConfig>({}),
      onSome: (json) =>
        decodeStored(json).pipe(
          Effect.mapError((error) => new ConfigFileError({ file: filePath(dir, "config"), reason: `not valid: ${error.message}` }))
        )
    })
  )

export const writeStoredConfig = (dir: string, config: StoredConfig) =>
  writePrivateFile(filePath(dir, "config"), JSON.stringify(config, null, 2) + "\n")

const optionalString = (name: string) => Config.option(Config.nonEmptyString(name))
const positive = (name: string) => Config.option(Config.number(name).pipe(Config.validate({ message: "must be a positive number", validation: (n) => n > 0 })))

/** The settings, read at the edge: environment over `config.json` over defaults. */
export const loadSettings = Effect.gen(function* () {
  const env = yield* Config.all({
    home: optionalString("NCOD_CLIENT_HOME"),
    masterUrl: optionalString("NCOD_MASTER_URL"),
    clientIdentity: optionalString("NCOD_VH_CLIENT_ID"),
    commandPipe: optionalString("NCOD_VH_COMMAND_PIPE"),
    responsePipe: optionalString("NCOD_VH_RESPONSE_PIPE"),
    windowsPipe: optionalString("NCOD_VH_PIPE"),
    binary: optionalString("NCOD_VH_BINARY"),
    keepAlive: positive("NCOD_KEEPALIVE_SECONDS"),
    reconnectMax: positive("NCOD_RECONNECT_MAX_SECONDS"),
    vhCheck: positive("NCOD_VH_CHECK_SECONDS"),
    bindTimeout: positive("NCOD_BIND_TIMEOUT_SECONDS")
  })
  const dir = configDirFor({ ...process.env, NCOD_CLIENT_HOME: Option.getOrUndefined(env.home) }, process.platform, os.homedir())
  const stored = yield* readStoredConfig(dir)
  const pick = (fromEnv: Option.Option<string>, fromFile: string | undefined) => Option.getOrUndefined(Option.orElse(fromEnv, () => Option.fromNullable(fromFile)))
  return {
    dir,
    stored,
    masterUrl: Option.orElse(env.masterUrl, () => Option.fromNullable(stored.masterUrl)),
    language: languageFrom(process.env),
    clientIdentity: Option.orElse(env.clientIdentity, () => Option.fromNullable(stored.clientIdentity)),
    vh: {
      commandPipe: pick(env.commandPipe, stored.vhCommandPipe),
      responsePipe: pick(env.responsePipe, stored.vhResponsePipe),
      windowsPipe: pick(env.windowsPipe, stored.vhWindowsPipe),
      binary: pick(env.binary, stored.vhBinary)
    },
    // the master's default keep-alive is 60 s and it suspends after 2×: every 30 s keeps a margin
    keepAliveSeconds: Option.getOrElse(env.keepAlive, () => stored.keepAliveSeconds ?? 30),
    reconnectMaxSeconds: Option.getOrElse(env.reconnectMax, () => 30),
    vhCheckSeconds: Option.getOrElse(env.vhCheck, () => 3),
    bindTimeoutSeconds: Option.getOrElse(env.bindTimeout, () => 20)
  } satisfies ClientSettings
})
