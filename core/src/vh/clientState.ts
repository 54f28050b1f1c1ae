import { Either } from "effect"
import { excerptOf, VhParseError } from "./errors.js"
import type { VhClientState, VhStateConnection, VhStateDevice, VhStateServer } from "./models.js"
import { normalizeReply } from "./normalize.js"
import { escapeXmlAttribute, readXml, type XmlElement } from "./xml.js"

/**
 * `GET CLIENT STATE`: `<state>` holds one `<server>` per hub the client knows, each with one
 * `<connection …/>` and zero or more `<device …/>`. Attribute names come from public projects that
 * unmarshal the real document (see fixtures/README.md); the ones ncod reads are typed, the rest are
 * kept in `extra` in document order.
 */

type Kind = "int" | "string"
const connectionFields = [
  ["connectionId", "connectionId", "int"],
  ["serverMajor", "serverMajor", "int"],
  ["serverMinor", "serverMinor", "int"],
  ["serverRevision", "serverRevision", "int"],
  ["serverName", "serverName", "string"],
  ["hostname", "hostname", "string"],
  ["serverSerial", "serverSerial", "string"],
  ["licenseMaxDevices", "license_max_devices", "int"],
  ["state", "state", "int"],
  ["host", "host", "string"],
  ["port", "port", "int"],
  ["ip", "ip", "string"]
] as const satisfies ReadonlyArray<readonly [keyof VhStateConnection, string, Kind]>

const deviceFields = [
  ["vendor", "vendor", "string"],
  ["product", "product", "string"],
  ["idVendor", "idVendor", "int"],
  ["idProduct", "idProduct", "int"],
  ["address", "address", "int"],
  ["connectionId", "connectionId", "int"],
  ["state", "state", "int"],
  ["deviceSerial", "deviceSerial", "string"],
  ["nickname", "nickname", "string"],
  ["boundClientHostname", "boundClientHostname", "string"],
  ["boundConnectionIp", "boundConnectionIp", "string"],
  ["clientId", "clientId", "string"],
  ["autoUse", "autoUse", "string"]
] as const satisfies ReadonlyArray<readonly [keyof VhStateDevice, string, Kind]>

const fail = (message: string, text: string) =>
  Either.left(new VhParseError({ reply: "state", message, excerpt: excerptOf(text) }))

/** Reads the typed attributes; a missing one takes its empty value (older clients omit some). */
const readFields = <F extends ReadonlyArray<readonly [string, string, Kind]>>(
  element: XmlElement,
  fields: F
): Either.Either<Record<string, string | number>, string> => {
  const values: Record<string, string | number> = {}
  const known = new Set<string>()
  for (const [field, attribute, kind] of fields) {
    known.add(attribute)
    const raw = element.attributes.find(([key]) => key === attribute)?.[1]
    if (kind === "string") {
      values[field] = raw ?? ""
    } else if (raw === undefined || raw.trim() === "") {
      values[field] = 0
    } else if (/^-?\d{1,15}$/.test(raw.trim())) {
      values[field] = Number(raw.trim())
    } else {
      return Either.left(`<${element.name}> attribute ${attribute}="${excerptOf(raw, 20)}" is not an integer`)
    }
  }
  const extra: Record<string, string> = {}
  for (const [key, value] of element.attributes) if (!known.has(key) && !(key in extra)) extra[key] = value
  values["extra"] = extra as never
  return Either.right(values)
}

export const parseClientState = (raw: string): Either.Either<VhClientState, VhParseError> => {
  const text = normalizeReply(raw)
  // Only the last document counts: a stale reply can arrive glued before this one. Inside a
  // document "<state" cannot appear except as the element (attribute values escape "<").
  const lastState = text.lastIndexOf("<state")
  const start = lastState >= 0 ? lastState : text.indexOf("<")
  if (start < 0) return fail("not an XML document", text)
  const document = readXml(text.slice(start))
  if (Either.isLeft(document)) return fail(document.left, text)
  const root = document.right.find((element) => element.name === "state")
  if (!root) return fail("no <state> element", text)
  const servers: Array<VhStateServer> = []
  for (const server of root.children) {
    if (server.name !== "server") continue
    const connectionElement = server.children.find((child) => child.name === "connection")
    if (!connectionElement) return fail("a <server> has no <connection>", text)
    const connection = readFields(connectionElement, connectionFields)
    if (Either.isLeft(connection)) return fail(connection.left, text)
    const devices: Array<VhStateDevice> = []
    for (const child of server.children) {
      if (child.name !== "device") continue
      const device = readFields(child, deviceFields)
      if (Either.isLeft(device)) return fail(device.left, text)
      devices.push(device.right as unknown as VhStateDevice)
    }
    servers.push({ connection: connection.right as unknown as VhStateConnection, devices })
  }
  return Either.right({ servers })
}

const printElement = <T extends { readonly extra: Readonly<Record<string, string>> }>(
  name: string,
  value: T,
  fields: ReadonlyArray<readonly [string, string, Kind]>
): string => {
  const record = value as unknown as Record<string, string | number>
  const attributes = fields.map(([field, attribute]) => `${attribute}="${escapeXmlAttribute(String(record[field]))}"`)
  for (const [key, extra] of Object.entries(value.extra)) attributes.push(`${key}="${escapeXmlAttribute(extra)}"`)
  return `<${name} ${attributes.join(" ")} />`
}

/**
 * Prints the document the simulator serves. No verbatim real document was found in public sources,
 * so whitespace and attribute order here are this project's choice; the parser does not depend on them.
 */
export const printClientState = (state: VhClientState): string => {
  const out = ['<?xml version="1.0" encoding="utf-8"?>', "<state>"]
  for (const server of state.servers) {
    out.push("  <server>")
    out.push(`    ${printElement("connection", server.connection, connectionFields)}`)
    for (const device of server.devices) out.push(`    ${printElement("device", device, deviceFields)}`)
    out.push("  </server>")
  }
  out.push("</state>")
  return `${out.join("\n")}\n`
}
