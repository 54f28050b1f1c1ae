/**
 * The configuration reference, generated so it cannot drift:
 * - master: the settings table of master/README.md (a master test keeps it in step with
 *   MasterConfig.ts), with the accepted values read from MasterConfig.ts itself and its defaults
 *   checked against the code;
 * - slave agent: the settings schema, defaults and environment names of slave/src/config, with
 *   docs/slave.md's table checked against them;
 * - client: the environment table of client/README.md, checked against the names client/src reads,
 *   and the keys of `config.json` from the client's schema.
 */
import { JSONSchema } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { StoredConfig } from "../../../client/src/config/ClientConfig.js"
import { defaultPaths, pathEnv } from "../../../slave/src/config/Paths.js"
import { defaultSettings, SettingsFile, settingsEnv } from "../../../slave/src/config/Settings.js"
import { banner, cell, out, read, repo, SourceDrift, write } from "./paths.js"

// ---------------------------------------------------------------------------------------- helpers

/** Rows of the first Markdown table after `heading` (cells trimmed, header and rule dropped). */
export const tableAfter = (markdown: string, heading: RegExp): ReadonlyArray<ReadonlyArray<string>> => {
  const lines = markdown.split("\n")
  const start = lines.findIndex((line) => heading.test(line))
  if (start < 0) return []
  const rows: Array<Array<string>> = []
  let inTable = false
  for (const line of lines.slice(start + 1)) {
    if (/^#{1,6} /.test(line) && !inTable) break
    if (line.startsWith("|")) {
      inTable = true
      // split on pipes that are not escaped
      const cells = line.trim().replace(/^\||\|$/g, "").split(/(?<!\\)\|/).map((c) => c.trim())
      rows.push(cells)
    } else if (inTable) break
  }
  return rows.slice(2)
}

const product = (expression: string) => {
  const text = expression.trim()
  if (!/^[\d_ *.]+$/.test(text)) return undefined
  return text.split("*").reduce((acc, factor) => acc * Number(factor.replace(/_/g, "").trim()), 1)
}

const stripTicks = (text: string) => text.replace(/`/g, "").trim()

const difference = (a: Iterable<string>, b: Iterable<string>) => {
  const other = new Set(b)
  return [...new Set(a)].filter((x) => !other.has(x)).sort()
}

// ----------------------------------------------------------------------------------------- master

interface MasterSetting {
  readonly name: string
  readonly values: string
  readonly secret: boolean
}

/** What each setting accepts, read from the Config definitions in MasterConfig.ts. */
const masterSettingsInCode = (source: string) => {
  const start = source.indexOf("Config.all({")
  const end = source.indexOf("\n})", start)
  if (start < 0 || end < 0) throw new SourceDrift("master/src/config/MasterConfig.ts: no `Config.all({ … })` found")
  const entries = source.slice(start, end).split(/\n {2}(?=[a-zA-Z]+: )/)
  const found = new Map<string, MasterSetting & { readonly codeDefault: string | undefined }>()
  for (const entry of entries) {
    for (const [, name] of entry.matchAll(/"((?:NCOD|DATABASE|REDIS)_[A-Z_]+)"/g)) {
      if (name === undefined || found.has(name)) continue
      const int = new RegExp(`intBetween\\("${name}", ([^,]+), ([^,]+), ([^)]+)\\)`).exec(entry)
      const literal = /Config\.literal\(([^)]*)\)/.exec(entry)
      const withDefault = new RegExp(`withDefault\\(Config\\.\\w+\\("${name}"\\), ("[^"]*"|true|false)\\)`).exec(entry)
      const defaultOf = /withDefault\([\s\S]*, ("[^"]*"|true|false)( as const)?\)\s*,?\s*$/.exec(entry)
      let values: string
      let codeDefault: string | undefined
      if (int) {
        const [min, max] = [product(int[2]!), product(int[3]!)]
        values = `integer, ${min?.toLocaleString("en-US")} to ${max?.toLocaleString("en-US")}`
        // a default computed at start (from the machine) is the README's to describe
        const fixed = product(int[1]!)
        codeDefault = fixed === undefined ? undefined : String(fixed)
      } else if (entry.includes("Config.boolean(")) {
        values = "`true` or `false`"
        codeDefault = withDefault?.[1]
      } else if (entry.includes("commaList(")) {
        values = "comma-separated list"
      } else if (literal) {
        values = literal[1]!.split(",").map((v) => `\`${v.trim().replace(/"/g, "")}\``).join(", ")
        codeDefault = defaultOf?.[1]?.replace(/"/g, "")
      } else if (entry.includes("Config.url(")) {
        values = "URL"
      } else if (entry.includes("Config.redacted(")) {
        values = name.endsWith("_URL") ? "URL (secret)" : "text (secret)"
      } else {
        values = /_(DIR|FILE|CERT|KEY)$/.test(name) ? "path" : "text"
        codeDefault = withDefault?.[1]?.replace(/"/g, "")
      }
      found.set(name, { name, values, secret: entry.includes("Config.redacted("), codeDefault })
    }
  }
  return found
}

const masterPage = () => {
  const readme = read("master/README.md")
  const rows = tableAfter(readme, /^## Settings/)
  const inCode = masterSettingsInCode(read("master/src/config/MasterConfig.ts"))
  const documented = rows.map((row) => stripTicks(row[0] ?? ""))
  const missing = difference(inCode.keys(), documented)
  const extra = difference(documented, [...inCode.keys(), "NCOD_ENV_FILE"])
  if (missing.length > 0 || extra.length > 0) {
    throw new SourceDrift(`master settings: in MasterConfig.ts but not master/README.md: ${missing.join(", ") || "none"}; documented but not in the code: ${extra.join(", ") || "none"}`)
  }
  const lines = ["| Variable | Default | Meaning |", "|---|---|---|"]
  for (const [nameCell = "", defaultCell = "", meaning = ""] of rows) {
    const name = stripTicks(nameCell)
    const code = inCode.get(name)
    if (code?.codeDefault !== undefined && stripTicks(defaultCell) !== code.codeDefault) {
      throw new SourceDrift(`${name}: master/README.md says the default is ${defaultCell}, MasterConfig.ts says ${code.codeDefault}`)
    }
    const values = name === "NCOD_ENV_FILE" ? "path" : (code?.values ?? "")
    lines.push(`| <span id="${name.toLowerCase().replace(/_/g, "-")}">\`${name}\`</span> | ${defaultCell} | ${meaning}${values ? ` <br><small>Accepted: ${values}.</small>` : ""} |`)
  }
  return (
    banner("master/README.md", "master/src/config/MasterConfig.ts") +
    `${inCode.size + 1} settings. Secrets (${[...inCode.values()].filter((s) => s.secret).map((s) => `\`${s.name}\``).join(", ")}) ` +
    "are read as redacted values and never logged.\n\n" +
    lines.join("\n") +
    "\n"
  )
}

// ------------------------------------------------------------------------------------------ slave

/** `/** text *\/ key:` pairs of a TypeScript source: the doc comment of each property. */
const docComments = (source: string) => {
  const comments = new Map<string, string>()
  // the comment may not contain the end of another comment: each one belongs to the line after it
  for (const match of source.matchAll(/\/\*\*\s*((?:(?!\*\/)[\s\S])*?)\s*\*\/\s*\n\s*(?:readonly\s+)?(\w+)\??:/g)) {
    comments.set(match[2]!, match[1]!.replace(/\n\s*\*\s?/g, " ").trim())
  }
  return comments
}

const slavePage = () => {
  const schema = JSONSchema.make(SettingsFile) as { properties: Record<string, { minimum?: number; maximum?: number; anyOf?: ReadonlyArray<{ minimum?: number; maximum?: number; type?: string }>; type?: string }> }
  const comments = docComments(read("slave/src/config/Settings.ts"))
  const pathComments = docComments(read("slave/src/config/Paths.ts"))

  // docs/slave.md (the slave engineer's guide) has its own table: it must name exactly these keys
  const guide = fs.existsSync(path.join(repo, "docs/slave.md")) ? read("docs/slave.md") : undefined
  const guideMeaning = new Map<string, string>()
  if (guide !== undefined) {
    const rows = tableAfter(guide, /^## \d*\.?\s*Settings/)
    for (const row of rows) {
      for (const [, key] of (row[0] ?? "").matchAll(/`(\w+)`/g)) guideMeaning.set(key!, row[3] ?? "")
    }
    const keys = Object.keys(defaultSettings)
    const missing = difference(keys, guideMeaning.keys())
    const extra = difference(guideMeaning.keys(), keys)
    if (rows.length > 0 && (missing.length > 0 || extra.length > 0)) {
      throw new SourceDrift(`slave settings: in slave/src/config/Settings.ts but not docs/slave.md: ${missing.join(", ") || "none"}; in docs/slave.md but not the code: ${extra.join(", ") || "none"}`)
    }
  }

  const range = (key: string) => {
    const property = schema.properties[key]
    const numeric = property?.minimum !== undefined ? property : property?.anyOf?.find((p) => p.minimum !== undefined)
    const nullable = property?.anyOf?.some((p) => p.type === "null") ?? false
    if (numeric?.minimum !== undefined) return `${numeric.minimum} to ${numeric.maximum}${nullable ? ", or `null`" : ""}`
    if (key === "vhusbdRestartCommand") return "argv array, or `null`"
    return nullable ? "text, or `null`" : "text"
  }
  // said only in docs/slave.md's prose (§6), not beside the key: the last resort for those cells
  const silent: Record<string, string> = {
    sysfsDir: "where the USB devices' sysfs entries are read (vendor, product, serial, port path)",
    vhusbdRestartAfterSeconds: "how long vhusbd must be down before `vhusbdRestartCommand` runs",
    vhusbdRestartCooldownSeconds: "at most one restart of vhusbd per this many seconds"
  }
  const show = (value: unknown) => (value === null ? "—" : Array.isArray(value) ? `\`${JSON.stringify(value)}\`` : `\`${String(value)}\``)

  const lines = ["| `config.json` key · environment | Default | Meaning |", "|---|---|---|"]
  for (const key of Object.keys(defaultSettings) as Array<keyof typeof defaultSettings>) {
    const meaning = [silent[key], comments.get(key), guideMeaning.get(key)].filter((text) => text !== undefined && text.length > 0)
    // the guide's wording when it has one (it is written for operators), else the code's comment
    const text = meaning.length > 0 ? meaning[meaning.length - 1]! : ""
    lines.push(`| \`${key}\`<br>\`${settingsEnv[key]}\` | ${show(defaultSettings[key])} | ${cell(text)} <br><small>Accepted: ${range(key)}.</small> |`)
  }
  const pathLines = ["| Path | Environment | Default | Holds |", "|---|---|---|---|"]
  for (const key of Object.keys(defaultPaths) as Array<keyof typeof defaultPaths>) {
    pathLines.push(`| ${key} | \`${pathEnv[key]}\` | \`${defaultPaths[key]}\` | ${cell(pathComments.get(key) ?? "")} |`)
  }
  return (
    banner("slave/src/config/Settings.ts", "slave/src/config/Paths.ts", "docs/slave.md") +
    "`/etc/ncod-slave/config.json` holds the agent's settings; every key is optional and an unknown key is refused " +
    "at start with its name. The environment variable of a key wins over the file.\n\n" +
    lines.join("\n") +
    "\n\nWhere the agent keeps its files (the flags `--config-dir`, `--state-dir` and `--socket` before the command win over the environment):\n\n" +
    pathLines.join("\n") +
    "\n"
  )
}

// ----------------------------------------------------------------------------------------- client

const clientPage = () => {
  const readme = read("client/README.md")
  const rows = tableAfter(readme, /^## Environment/)
  const configSource = read("client/src/config/ClientConfig.ts")
  const readByConfig = [...configSource.matchAll(/\("(NCOD_[A-Z_]+)"\)/g)].map((m) => m[1]!)
  const documented = rows.flatMap((row) => [...(row[0] ?? "").matchAll(/`(NCOD_[A-Z_]+)`/g)].map((m) => m[1]!))
  const missing = difference(readByConfig, documented)
  // anything documented must exist somewhere in the client's code
  const everywhere = new Set<string>()
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (entry.name.endsWith(".ts")) for (const m of fs.readFileSync(full, "utf8").matchAll(/(NCOD_[A-Z_]+)/g)) everywhere.add(m[1]!)
    }
  }
  walk(path.join(repo, "client/src"))
  const extra = difference(documented, everywhere)
  if (rows.length === 0 || missing.length > 0 || extra.length > 0) {
    throw new SourceDrift(`client settings: read in client/src/config/ClientConfig.ts but not in client/README.md's Environment table: ${missing.join(", ") || "none"}; documented but not in client/src: ${extra.join(", ") || "none"}`)
  }
  const comments = docComments(configSource)
  const stored = Object.keys(StoredConfig.fields)
  const envFor: Record<string, string> = {
    masterUrl: "NCOD_MASTER_URL",
    clientIdentity: "NCOD_VH_CLIENT_ID",
    vhCommandPipe: "NCOD_VH_COMMAND_PIPE",
    vhResponsePipe: "NCOD_VH_RESPONSE_PIPE",
    vhWindowsPipe: "NCOD_VH_PIPE",
    vhBinary: "NCOD_VH_BINARY",
    keepAliveSeconds: "NCOD_KEEPALIVE_SECONDS"
  }
  const lines = ["| Variable | Default | Effect |", "|---|---|---|", ...rows.map((row) => `| ${row.slice(0, 3).join(" | ")} |`)]
  const keyLines = ["| `config.json` key | Overridden by | Meaning |", "|---|---|---|"]
  for (const key of stored) {
    const env = envFor[key] !== undefined && readByConfig.includes(envFor[key]!) ? `\`${envFor[key]}\`` : "—"
    const envRow = rows.find((row) => envFor[key] !== undefined && (row[0] ?? "").includes(envFor[key]!))
    const meaning = comments.get(key) ?? envRow?.[2] ?? (key === "username" ? "The account `ncod login` signs in as by default" : "")
    keyLines.push(`| \`${key}\` | ${env} | ${cell(meaning)} |`)
  }
  return (
    banner("client/README.md", "client/src/config/ClientConfig.ts") +
    "The environment wins over `config.json`, which wins over the defaults.\n\n" +
    lines.join("\n") +
    "\n\n`config.json` in the configuration directory (`ncod login` writes `masterUrl` and `username`):\n\n" +
    keyLines.join("\n") +
    "\n"
  )
}

/** The three fragments; throws SourceDrift when a README and the code disagree. */
export const settingsPages = () => ({ master: masterPage(), slave: slavePage(), client: clientPage() })

export const generateSettings = () => {
  const pages = settingsPages()
  write(path.join(out.generated, "master-settings.md"), pages.master)
  write(path.join(out.generated, "slave-settings.md"), pages.slave)
  write(path.join(out.generated, "client-settings.md"), pages.client)
}
