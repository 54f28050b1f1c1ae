import { normalizeReply, replyLines } from "./normalize.js"

/**
 * `DEVICE INFO` and `SERVER INFO` answer `KEY: value` lines. Keys are upper-case words; values are
 * split on the first colon only (an address like `host:7575` or a client id may contain colons) and
 * may carry trailing spaces, which mean nothing.
 */
export interface KeyValueLine {
  readonly key: string
  readonly value: string
}

const keyPattern = /^([A-Z][A-Z0-9 _-]{0,40}):(.*)$/

export const readKeyValueLines = (raw: string): ReadonlyArray<KeyValueLine> => {
  const entries: Array<KeyValueLine> = []
  for (const line of replyLines(normalizeReply(raw))) {
    const match = keyPattern.exec(line.trim())
    if (match) entries.push({ key: match[1]!.trim(), value: match[2]!.trim() })
  }
  return entries
}

export const printKeyValueLines = (entries: ReadonlyArray<KeyValueLine>): string =>
  entries.map(({ key, value }) => (value === "" ? `${key}:` : `${key}: ${value}`)).join("\n") + "\n"
