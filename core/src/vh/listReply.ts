import { Either } from "effect"
import { excerptOf, VhParseError } from "./errors.js"
import type { VhListDevice, VhListHub, VhListReply, VhUseStatus } from "./models.js"
import { normalizeReply, replyLines } from "./normalize.js"

/**
 * `LIST` in text form. Layout (client 5.x; older clients wrote `VirtualHere IPC,` and had no SSL
 * lookup line, `In use` without the hyphen, and `VirtualHere not running as a service`):
 *
 *   VirtualHere Client IPC, below are the available devices:
 *   (Value in brackets = address, * = Auto-Use)
 *
 *   Desktop Hub (SERVER:7575)
 *      --> Portable SSD T5 (SERVER.82)
 *     *--> Token JC (SERVER.73) (In-use by: (michael) at 192.168.0.21)
 *
 *   Auto-Find currently on
 *   …
 */

const HEADER = "VirtualHere Client IPC, below are the available devices:"
const LEGEND = "(Value in brackets = address, * = Auto-Use)"
const headerPattern = /VirtualHere (?:Client )?IPC, below are the available devices:?/i
const devicePattern = /^ {0,4}(\*)?\s*-->\s?(.*)$/
const addressGroup = /\(([^()\s]+\.\d+)\)/g

type Footer = Pick<VhListReply, "autoFind" | "autoUseAll" | "reverseLookup" | "reverseSslLookup" | "runningAsService">

const footerRules: ReadonlyArray<readonly [RegExp, (footer: Footer, on: boolean) => Footer]> = [
  [/^Auto-Find currently (on|off)$/i, (f, on) => ({ ...f, autoFind: on })],
  [/^Auto-Use All currently (on|off)$/i, (f, on) => ({ ...f, autoUseAll: on })],
  [/^Reverse Lookup currently (on|off)$/i, (f, on) => ({ ...f, reverseLookup: on })],
  [/^Reverse SSL Lookup currently (on|off)$/i, (f, on) => ({ ...f, reverseSslLookup: on })]
]
const servicePattern = /^VirtualHere (?:Client )?(is|not) running as a service$/i

const parseStatus = (text: string): VhUseStatus => {
  const body = text.trim()
  if (/^in[- ]use by you$/i.test(body)) return { _tag: "InUseByYou" }
  const other = /^in[- ]use by:?\s*(.*)$/i.exec(body)
  if (other) {
    const rest = other[1]!
    const at = /^(.*) at (\S+)$/.exec(rest)
    return at ? { _tag: "InUseByOther", clientId: at[1]!, ip: at[2]! } : { _tag: "InUseByOther", clientId: rest, ip: null }
  }
  return { _tag: "Unrecognized", text: body }
}

/** Anchors on the last `(<host>.<digits>)` group that is followed by nothing or one status group. */
const parseDeviceRest = (rest: string): { name: string; address: string; status: VhUseStatus } | undefined => {
  const candidates = Array.from(rest.matchAll(addressGroup))
  for (let i = candidates.length - 1; i >= 0; i--) {
    const match = candidates[i]!
    const start = match.index
    const end = start + match[0].length
    const after = rest.slice(end)
    if (start === 0 || rest[start - 1] !== " ") continue
    if (after === "" || after.trim() === "") {
      return { name: rest.slice(0, start - 1), address: match[1]!, status: { _tag: "Free" } }
    }
    const status = /^ \((.*)\)\s*$/.exec(after)
    if (status) return { name: rest.slice(0, start - 1), address: match[1]!, status: parseStatus(status[1]!) }
  }
  return undefined
}

const parseHubLine = (line: string): Omit<VhListHub, "devices"> | undefined => {
  const trimmed = line.trimEnd()
  if (!trimmed.endsWith(")")) return undefined
  const open = trimmed.lastIndexOf(" (")
  if (open < 0) return undefined
  const inside = trimmed.slice(open + 2, -1)
  const colon = inside.lastIndexOf(":")
  if (colon <= 0) return undefined
  const host = inside.slice(0, colon)
  const port = inside.slice(colon + 1)
  if (!/^\d{1,5}$/.test(port) || /[()\s]/.test(host)) return undefined
  return { name: trimmed.slice(0, open), host, port: Number(port) }
}

const fail = (message: string, text: string, line?: number) =>
  Either.left(
    new VhParseError({ reply: "list", message, excerpt: excerptOf(text), ...(line === undefined ? {} : { line }) })
  )

export const parseListReply = (raw: string): Either.Either<VhListReply, VhParseError> => {
  const all = replyLines(normalizeReply(raw))
  // A stale reply that nobody collected can arrive glued before this one (the reply pipe is shared):
  // only the last LIST in the text is the answer.
  let lastHeader = -1
  all.forEach((line, index) => {
    if (headerPattern.test(line)) lastHeader = index
  })
  const lines = lastHeader > 0 ? all.slice(lastHeader) : all
  let footer: Footer = { autoFind: null, autoUseAll: null, reverseLookup: null, reverseSslLookup: null, runningAsService: null }
  const hubs: Array<{ name: string; host: string; port: number; devices: Array<VhListDevice> }> = []
  let sawHeader = false
  let sawFooter = false
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!
    const lineNo = index + 1
    if (line.trim() === "") continue
    if (headerPattern.test(line)) {
      sawHeader = true
      continue
    }
    if (line.trim() === LEGEND) continue
    const device = devicePattern.exec(line)
    if (device) {
      const hub = hubs[hubs.length - 1]
      if (!hub) return fail("a device line comes before any hub line", line, lineNo)
      const rest = parseDeviceRest(device[2]!)
      if (!rest) return fail("a device line has no (<host>.<n>) address", line, lineNo)
      hub.devices.push({ ...rest, autoUse: device[1] === "*" })
      continue
    }
    const trimmed = line.trim()
    const rule = footerRules.find(([pattern]) => pattern.test(trimmed))
    if (rule) {
      footer = rule[1](footer, /on$/i.test(trimmed))
      sawFooter = true
      continue
    }
    const service = servicePattern.exec(trimmed)
    if (service) {
      footer = { ...footer, runningAsService: service[1]!.toLowerCase() === "is" }
      sawFooter = true
      continue
    }
    if (!/^\s/.test(line)) {
      const hub = parseHubLine(line)
      if (hub) {
        hubs.push({ ...hub, devices: [] })
        continue
      }
    }
    // Anything else is a line a newer client added: tolerated, not guessed at.
  }
  if (!sawHeader && !sawFooter) return fail("not a LIST reply (no header and no status lines)", lines.join("\n"))
  // Every known client version ends LIST with the service line; without it the reply was cut short.
  if (footer.runningAsService === null) return fail("truncated LIST reply (no final 'running as a service' line)", lines.join("\n"))
  return Either.right({ hubs, ...footer })
}

const onOff = (value: boolean) => (value ? "on" : "off")

const printStatus = (status: VhUseStatus): string => {
  switch (status._tag) {
    case "Free":
      return ""
    case "InUseByYou":
      return " (In-use by you)"
    case "InUseByOther":
      return ` (In-use by: ${status.clientId}${status.ip === null ? "" : ` at ${status.ip}`})`
    case "Unrecognized":
      return ` (${status.text})`
  }
}

/** Prints the layout of client 5.x, byte for byte (LF line ends, as the Linux client writes). */
export const printListReply = (reply: VhListReply): string => {
  const out: Array<string> = [HEADER, LEGEND, ""]
  for (const hub of reply.hubs) {
    out.push(`${hub.name} (${hub.host}:${hub.port})`)
    for (const device of hub.devices) {
      out.push(`  ${device.autoUse ? "*" : " "}--> ${device.name} (${device.address})${printStatus(device.status)}`)
    }
  }
  out.push("")
  if (reply.autoFind !== null) out.push(`Auto-Find currently ${onOff(reply.autoFind)}`)
  if (reply.autoUseAll !== null) out.push(`Auto-Use All currently ${onOff(reply.autoUseAll)}`)
  if (reply.reverseLookup !== null) out.push(`Reverse Lookup currently ${onOff(reply.reverseLookup)}`)
  if (reply.reverseSslLookup !== null) out.push(`Reverse SSL Lookup currently ${onOff(reply.reverseSslLookup)}`)
  if (reply.runningAsService !== null) {
    out.push(reply.runningAsService ? "VirtualHere Client is running as a service" : "VirtualHere Client not running as a service")
  }
  return `${out.join("\n")}\n`
}
