import { Either } from "effect"
import { excerptOf, VhParseError } from "./errors.js"
import type { VhServerInfo } from "./models.js"
import { type KeyValueLine, printKeyValueLines, readKeyValueLines } from "./keyValueReply.js"

/**
 * `SERVER INFO,<server name>`:
 *
 *   NAME: Windows Hub
 *   VERSION: 4.6.4
 *   STATE: Logged in
 *   ADDRESS: 192.168.31.145 (192.168.31.145)
 *   PORT: 7575
 *   CONNECTED FOR: 9265 sec
 *   MAX DEVICES: 1
 *   CONNECTION ID: 1
 *   INTERFACE:
 *   SERIAL NUMBER: 07370b72-f03f-4f6e-b930-33fd5d8930f5
 *   EASYFIND: not enabled
 */
const known = new Set([
  "NAME",
  "VERSION",
  "STATE",
  "ADDRESS",
  "PORT",
  "CONNECTED FOR",
  "MAX DEVICES",
  "CONNECTION ID",
  "INTERFACE",
  "SERIAL NUMBER",
  "EASYFIND"
])

const fail = (message: string, raw: string) =>
  Either.left(new VhParseError({ reply: "server-info", message, excerpt: excerptOf(raw) }))

export const parseServerInfoReply = (raw: string): Either.Either<VhServerInfo, VhParseError> => {
  const entries = readKeyValueLines(raw)
  const get = (key: string) => entries.find((entry) => entry.key === key)?.value
  const name = get("NAME")
  if (name === undefined) return fail("no NAME line", raw)
  const addressText = get("ADDRESS")
  if (addressText === undefined) return fail("no ADDRESS line", raw)
  const integer = (key: string, pattern = /^(\d{1,15})$/): Either.Either<number | null, VhParseError> => {
    const value = get(key)
    if (value === undefined || value === "") return Either.right(null)
    const match = pattern.exec(value)
    return match ? Either.right(Number(match[1])) : fail(`${key} is not a number`, raw)
  }
  return Either.gen(function* () {
    const port = yield* integer("PORT")
    const connectedForSeconds = yield* integer("CONNECTED FOR", /^(\d{1,15})(?: sec)?$/)
    const maxDevices = yield* integer("MAX DEVICES")
    const connectionId = yield* integer("CONNECTION ID")
    const address = /^(.*?) \((.*)\)$/.exec(addressText)
    const extra: Record<string, string> = {}
    for (const entry of entries) if (!known.has(entry.key) && !(entry.key in extra)) extra[entry.key] = entry.value
    return {
      name,
      version: get("VERSION") ?? null,
      state: get("STATE") ?? null,
      address: address ? address[1]! : addressText,
      resolvedAddress: address ? address[2]! : null,
      port,
      connectedForSeconds,
      maxDevices,
      connectionId,
      interface: get("INTERFACE") ?? null,
      serialNumber: get("SERIAL NUMBER") ?? null,
      easyFind: get("EASYFIND") ?? null,
      extra
    }
  })
}

export const printServerInfoReply = (info: VhServerInfo): string => {
  const lines: Array<KeyValueLine> = [{ key: "NAME", value: info.name }]
  const optional = (key: string, value: string | number | null) => {
    if (value !== null) lines.push({ key, value: String(value) })
  }
  optional("VERSION", info.version)
  optional("STATE", info.state)
  lines.push({ key: "ADDRESS", value: info.resolvedAddress === null ? info.address : `${info.address} (${info.resolvedAddress})` })
  optional("PORT", info.port)
  optional("CONNECTED FOR", info.connectedForSeconds === null ? null : `${info.connectedForSeconds} sec`)
  optional("MAX DEVICES", info.maxDevices)
  optional("CONNECTION ID", info.connectionId)
  optional("INTERFACE", info.interface)
  optional("SERIAL NUMBER", info.serialNumber)
  optional("EASYFIND", info.easyFind)
  for (const [key, value] of Object.entries(info.extra)) lines.push({ key, value })
  return printKeyValueLines(lines)
}
