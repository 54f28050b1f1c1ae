import { Either } from "effect"
import { excerptOf, VhParseError } from "./errors.js"
import type { VhDeviceInfo, VhInUseBy } from "./models.js"
import { type KeyValueLine, printKeyValueLines, readKeyValueLines } from "./keyValueReply.js"

/**
 * `DEVICE INFO,<address>`:
 *
 *   ADDRESS: nuc.14
 *   VENDOR: Nordic Semiconductor
 *   VENDOR ID: 0x1915
 *   PRODUCT: nRF52 Connectivity
 *   PRODUCT ID: 0xc00a
 *   SERIAL: FA2BC41052F6          (only when the device has one)
 *   NICKNAME: KonaFrames01        (only when set)
 *   IN USE BY: NO ONE             (or YOU, or another client)
 */
const known = new Set(["ADDRESS", "VENDOR", "VENDOR ID", "PRODUCT", "PRODUCT ID", "SERIAL", "NICKNAME", "IN USE BY"])

const fail = (message: string, raw: string) =>
  Either.left(new VhParseError({ reply: "device-info", message, excerpt: excerptOf(raw) }))

/** `0x1915`, `1915` or `0x15` → `1915` / `0015`; anything else is not a USB id. */
export const normalizeUsbIdText = (text: string): string | undefined => {
  const match = /^(?:0x)?([0-9a-fA-F]{1,4})$/.exec(text.trim())
  return match ? match[1]!.toLowerCase().padStart(4, "0") : undefined
}

const parseInUseBy = (text: string): VhInUseBy => {
  if (/^no one$/i.test(text)) return { _tag: "NoOne" }
  if (/^you$/i.test(text)) return { _tag: "You" }
  // The exact form for another client is not documented; `<id> AT <ip> (<hostname>)` is the best guess.
  const match = /^(.*?) AT (\S+)(?: \((.*)\))?$/i.exec(text)
  return match
    ? { _tag: "Other", text, clientId: match[1]!, ip: match[2]!, hostname: match[3] ?? null }
    : { _tag: "Other", text, clientId: text, ip: null, hostname: null }
}

export const parseDeviceInfoReply = (raw: string): Either.Either<VhDeviceInfo, VhParseError> => {
  const entries = readKeyValueLines(raw)
  const get = (key: string) => entries.find((entry) => entry.key === key)?.value
  const address = get("ADDRESS")
  if (address === undefined || address === "") return fail("no ADDRESS line", raw)
  const vendorId = normalizeUsbIdText(get("VENDOR ID") ?? "")
  const productId = normalizeUsbIdText(get("PRODUCT ID") ?? "")
  if (vendorId === undefined) return fail("VENDOR ID is missing or not a USB id", raw)
  if (productId === undefined) return fail("PRODUCT ID is missing or not a USB id", raw)
  const inUseBy = get("IN USE BY")
  if (inUseBy === undefined) return fail("no IN USE BY line", raw)
  const extra: Record<string, string> = {}
  for (const entry of entries) if (!known.has(entry.key) && !(entry.key in extra)) extra[entry.key] = entry.value
  return Either.right({
    address,
    vendor: get("VENDOR") ?? "",
    vendorId,
    product: get("PRODUCT") ?? "",
    productId,
    serial: get("SERIAL") ?? null,
    nickname: get("NICKNAME") ?? null,
    inUseBy: parseInUseBy(inUseBy),
    extra
  })
}

const printInUseBy = (inUseBy: VhInUseBy): string =>
  inUseBy._tag === "NoOne" ? "NO ONE" : inUseBy._tag === "You" ? "YOU" : inUseBy.text

export const printDeviceInfoReply = (info: VhDeviceInfo): string => {
  const lines: Array<KeyValueLine> = [
    { key: "ADDRESS", value: info.address },
    { key: "VENDOR", value: info.vendor },
    { key: "VENDOR ID", value: `0x${info.vendorId}` },
    { key: "PRODUCT", value: info.product },
    { key: "PRODUCT ID", value: `0x${info.productId}` }
  ]
  if (info.serial !== null) lines.push({ key: "SERIAL", value: info.serial })
  if (info.nickname !== null) lines.push({ key: "NICKNAME", value: info.nickname })
  lines.push({ key: "IN USE BY", value: printInUseBy(info.inUseBy) })
  for (const [key, value] of Object.entries(info.extra)) lines.push({ key, value })
  return printKeyValueLines(lines)
}
