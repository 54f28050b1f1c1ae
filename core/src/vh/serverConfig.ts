import { Either } from "effect"
import { VhInvalidArgument } from "./errors.js"

/**
 * vhusbd's `config.ini`. The server rewrites this file itself (license, nicknames), so ncod edits
 * only the keys it manages and keeps every other line byte for byte, comments and order included.
 * Keys compare case-insensitively (the vendor's pages spell `clientAuthorization` and
 * `ClientAuthorization`); an existing key keeps its spelling so no duplicate appears.
 */
export type VhIniLine =
  | { readonly kind: "section"; readonly name: string; readonly raw: string }
  | { readonly kind: "entry"; readonly key: string; readonly value: string; readonly raw: string }
  | { readonly kind: "other"; readonly raw: string }

export interface VhServerConfigIni {
  readonly lines: ReadonlyArray<VhIniLine>
  /** The file's line ending, kept on write. */
  readonly eol: "\n" | "\r\n"
}

export const parseServerConfigIni = (text: string): VhServerConfigIni => {
  const eol = text.includes("\r\n") ? "\r\n" : "\n"
  const body = text.endsWith(eol) ? text.slice(0, -eol.length) : text
  const lines: Array<VhIniLine> = body === "" ? [] : body.split(/\r?\n/).map((raw): VhIniLine => {
    const section = /^\s*\[([^\]]*)\]\s*$/.exec(raw)
    if (section) return { kind: "section", name: section[1]!.trim(), raw }
    const entry = /^\s*([^=;#\s][^=]*?)\s*=(.*)$/.exec(raw)
    if (entry) return { kind: "entry", key: entry[1]!, value: entry[2]!.trim(), raw }
    return { kind: "other", raw }
  })
  return { lines, eol }
}

export const printServerConfigIni = (ini: VhServerConfigIni): string =>
  ini.lines.length === 0 ? "" : ini.lines.map((line) => line.raw).join(ini.eol) + ini.eol

/** Range of lines that belong to [General] (or to the top of a file without sections). */
const generalRange = (lines: ReadonlyArray<VhIniLine>): { start: number; end: number } | undefined => {
  const firstSection = lines.findIndex((line) => line.kind === "section")
  const general = lines.findIndex((line) => line.kind === "section" && line.name.toLowerCase() === "general")
  if (general >= 0) {
    const next = lines.findIndex((line, i) => i > general && line.kind === "section")
    return { start: general + 1, end: next < 0 ? lines.length : next }
  }
  const end = firstSection < 0 ? lines.length : firstSection
  // A file of bare keys (no section) is read as [General]; an empty one gets a [General] header.
  if (lines.slice(0, end).some((line) => line.kind === "entry")) return { start: 0, end }
  return undefined
}

export const getServerConfigValue = (ini: VhServerConfigIni, key: string): string | undefined => {
  const range = generalRange(ini.lines)
  if (!range) return undefined
  for (let i = range.start; i < range.end; i++) {
    const line = ini.lines[i]!
    if (line.kind === "entry" && line.key.toLowerCase() === key.toLowerCase()) return line.value
  }
  return undefined
}

/** Sets (or, with null, removes) one key in [General]; other lines are untouched. */
export const setServerConfigValue = (ini: VhServerConfigIni, key: string, value: string | null): VhServerConfigIni => {
  let lines = [...ini.lines]
  let range = generalRange(lines)
  if (!range) {
    lines = [{ kind: "section", name: "General", raw: "[General]" }, ...lines]
    range = { start: 1, end: 1 }
  }
  const matches = (line: VhIniLine) => line.kind === "entry" && line.key.toLowerCase() === key.toLowerCase()
  const existing = lines.findIndex((line, i) => i >= range!.start && i < range!.end && matches(line))
  if (value === null) {
    return { ...ini, lines: lines.filter((line, i) => !(i >= range!.start && i < range!.end && matches(line))) }
  }
  if (existing >= 0) {
    const old = lines[existing] as Extract<VhIniLine, { kind: "entry" }>
    lines[existing] = { kind: "entry", key: old.key, value, raw: `${old.key}=${value}` }
    return { ...ini, lines }
  }
  // Append after the last entry of the section so trailing blank lines or comments stay last.
  let insertAt = range.end
  while (insertAt > range.start && lines[insertAt - 1]!.kind === "other" && lines[insertAt - 1]!.raw.trim() === "") insertAt--
  lines.splice(insertAt, 0, { kind: "entry", key, value, raw: `${key}=${value}` })
  return { ...ini, lines }
}

/** Events named on VirtualHere's event-system page; 15 exist, the unbind event's name is unsure. */
export const vhServerEvents = [
  "onEnumeration",
  "onBind",
  "onUnbind",
  "onReset",
  "onDeviceKick",
  "onChangeNickname",
  "onServerRename"
] as const

/** Placeholders vhusbd substitutes in the ClientAuthorization command line. */
export const vhAuthorizationPlaceholders = [
  "$VENDOR_ID$",
  "$PRODUCT_ID$",
  "$CLIENT_ID$",
  "$CLIENT_IP$",
  "$CLIENT_HOSTNAME$",
  "$PRODUCT_SERIAL$",
  "$PASSWORD$",
  "$DEVPATH$",
  "$NICKNAME$",
  "$NUM_BINDINGS$"
] as const

/**
 * Exit status of the ClientAuthorization script. 3 is confirmed by the vendor; 0/1/2 follow the
 * vendor's sample script (1 allow, 0 deny, 2 ask for a password) and are treated as such everywhere.
 */
export const VhAuthorizationExit = { deny: 0, allow: 1, askPassword: 2, askUsername: 3 } as const

/**
 * The ClientAuthorization line ncod installs: the slave agent's hook with every placeholder as a
 * named, single-quoted argument. vhusbd substitutes raw text and runs the line through a shell, so
 * the hook must treat its arguments as untrusted (a client id can contain quotes).
 */
export const buildClientAuthorizationCommandLine = (program: string, prefixArgs: ReadonlyArray<string> = []): string => {
  const quote = (text: string) => (/^[A-Za-z0-9_./:=-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`)
  // vhusbd pastes values into this line raw, and some are chosen by whoever connects (the client
  // id is the user's own full name). Single quotes keep $(…), backticks and $VAR inert; only a
  // quote in the value can break out, and the hook refuses any line that does not parse exactly.
  // Values the hook does not need (client hostname, nickname) are left out: less attacker text.
  const named = [
    ["--vendor-id", "$VENDOR_ID$"],
    ["--product-id", "$PRODUCT_ID$"],
    ["--client-id", "$CLIENT_ID$"],
    ["--client-ip", "$CLIENT_IP$"],
    ["--serial", "$PRODUCT_SERIAL$"],
    ["--password", "$PASSWORD$"],
    ["--devpath", "$DEVPATH$"]
  ]
  return [quote(program), ...prefixArgs.map(quote), ...named.map(([flag, placeholder]) => `${flag} '${placeholder}'`)].join(" ")
}

export interface VhManagedServerSettings {
  readonly serverName?: string
  readonly tcpPort?: number
  /** null removes the key (advisory mode). */
  readonly clientAuthorization?: string | null
  /** `onBind`, `onBind.05ac`, `onBind.05ac.12ab` → command line; null removes. */
  readonly eventHooks?: Readonly<Record<string, string | null>>
}

const checkValue = (argument: string, value: string): Either.Either<string, VhInvalidArgument> =>
  /[\u0000-\u001f\u007f]/.test(value)
    ? Either.left(new VhInvalidArgument({ argument, reason: "must be a single line without control characters" }))
    : Either.right(value)

/**
 * Applies the settings ncod manages. `TCPPort` is the key name for the listening port (the vendor's
 * config reference is not public; unsure): it is written only when asked for.
 */
export const applyManagedServerSettings = (
  ini: VhServerConfigIni,
  settings: VhManagedServerSettings
): Either.Either<VhServerConfigIni, VhInvalidArgument> =>
  Either.gen(function* () {
    let next = ini
    if (settings.serverName !== undefined) {
      const name = yield* checkValue("serverName", settings.serverName)
      if (name.trim() === "") return yield* Either.left(new VhInvalidArgument({ argument: "serverName", reason: "must not be empty" }))
      next = setServerConfigValue(next, "ServerName", name)
    }
    if (settings.tcpPort !== undefined) {
      if (!Number.isInteger(settings.tcpPort) || settings.tcpPort < 1 || settings.tcpPort > 65535) {
        return yield* Either.left(new VhInvalidArgument({ argument: "tcpPort", reason: "must be between 1 and 65535" }))
      }
      next = setServerConfigValue(next, "TCPPort", String(settings.tcpPort))
    }
    if (settings.clientAuthorization !== undefined) {
      const value = settings.clientAuthorization === null ? null : yield* checkValue("clientAuthorization", settings.clientAuthorization)
      next = setServerConfigValue(next, "ClientAuthorization", value)
    }
    for (const [key, command] of Object.entries(settings.eventHooks ?? {})) {
      if (!/^on[A-Z][A-Za-z]*(?:\.[0-9a-f]{4}(?:\.[0-9a-f]{4})?)?$/.test(key)) {
        return yield* Either.left(new VhInvalidArgument({ argument: "eventHooks", reason: `${key} is not <event>[.<vid>[.<pid>]]` }))
      }
      const value = command === null ? null : yield* checkValue(key, command)
      next = setServerConfigValue(next, key, value)
    }
    return next
  })

/** Event hook entries of a config: `{ event, vendorId, productId, command }`. */
export const readVhEventHooks = (ini: VhServerConfigIni) =>
  ini.lines.flatMap((line) => {
    if (line.kind !== "entry") return []
    const match = /^(on[A-Za-z]+)(?:\.([0-9a-fA-F]{4})(?:\.([0-9a-fA-F]{4}))?)?$/.exec(line.key)
    return match
      ? [{ event: match[1]!, vendorId: match[2]?.toLowerCase() ?? null, productId: match[3]?.toLowerCase() ?? null, command: line.value }]
      : []
  })
