/**
 * Strings that come from USB descriptors, sysfs or the VirtualHere client are untrusted: any
 * bytes, any length. Before they reach a report or a log they are decoded leniently, stripped of
 * control characters and bounded, so odd device names never break a report or the process.
 */
const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g

/** Decodes UTF-8 (invalid bytes become U+FFFD), removes control characters, trims, bounds the length. */
export const cleanText = (input: string | Uint8Array | undefined | null, maxLength = 256): string | null => {
  if (input === undefined || input === null) return null
  const text = typeof input === "string" ? input : new TextDecoder("utf-8", { fatal: false }).decode(input)
  const cleaned = text.replace(controlCharacters, " ").replace(/\s+/g, " ").trim()
  if (cleaned === "") return null
  if (cleaned.length <= maxLength) return cleaned
  // the contract counts UTF-16 units; cut at a code point so a surrogate pair is never split
  let bounded = ""
  for (const point of cleaned) {
    if (bounded.length + point.length > maxLength) break
    bounded += point
  }
  return bounded.trimEnd()
}

/** `0403`, `0x0403`, `403`, `1027` (decimal from the client state) → four lower-case hex digits. */
export const usbIdFromHex = (text: string | null | undefined): string | null => {
  const match = /^(?:0x)?([0-9a-fA-F]{1,4})$/.exec((text ?? "").trim())
  return match ? match[1]!.toLowerCase().padStart(4, "0") : null
}

export const usbIdFromNumber = (value: number): string | null =>
  Number.isInteger(value) && value >= 0 && value <= 0xffff ? value.toString(16).padStart(4, "0") : null

/** A sysfs port path such as `1-1.4` (the pattern the master accepts). */
export const busPathPattern = /^\d{1,3}-\d{1,3}(\.\d{1,3}){0,6}$/
