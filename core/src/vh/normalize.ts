/**
 * Cleans a raw client reply before any parser reads it. Every rule answers a field report:
 * `GET CLIENT STATE` carries stray \x01 bytes, Windows writes CRLF, and `-t` output captured from a
 * console can have the shell prompt glued to the first line (`C:\Users\me>VirtualHere Client IPC…`).
 */
const windowsPrompt = /^[A-Za-z]:\\[^\n>]*>/
const posixPrompt = /^[\w.-]+@[\w.-]+:[^\n$#]*[$#] /

export const normalizeReply = (raw: string): string => {
  let text = raw.replace(/\u0001/g, "").replace(/\r\n?/g, "\n")
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  text = text.replace(windowsPrompt, "").replace(posixPrompt, "")
  return text
}

/** Lines of a normalized reply, without the empty tail a final newline leaves. */
export const replyLines = (text: string): Array<string> => {
  const lines = text.split("\n")
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === "") lines.pop()
  return lines
}

/** VirtualHere compares hostnames without regard to case (its own example uses `server.111` for `SERVER.111`). */
export const sameHost = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase()
