import { Either } from "effect"
import { excerptOf, VhParseError } from "./errors.js"
import type { VhActionReply } from "./models.js"
import { normalizeReply, replyLines } from "./normalize.js"

/**
 * Replies to commands that change something: `OK`, `FAILED`, `FAILED: <reason>` or `ERROR:<message>`.
 * The first non-empty line decides; later lines are tolerated. For `USE` neither answer is final:
 * `OK` only means the request was sent, and a bare `FAILED` can be the client's own timeout while the
 * bind still completes; confirm through `GET CLIENT STATE` or `LIST`.
 */
export const parseActionReply = (raw: string): Either.Either<VhActionReply, VhParseError> => {
  const first = replyLines(normalizeReply(raw)).find((line) => line.trim() !== "")?.trim()
  if (first === undefined) {
    return Either.left(new VhParseError({ reply: "action", message: "empty reply", excerpt: "" }))
  }
  if (/^OK$/i.test(first)) return Either.right({ _tag: "Ok" })
  const failed = /^FAILED(?:\s*:\s*(.*))?$/i.exec(first)
  if (failed) return Either.right({ _tag: "Failed", reason: failed[1] === undefined || failed[1] === "" ? null : failed[1] })
  const error = /^ERROR\s*:?\s*(.*)$/i.exec(first)
  if (error) return Either.right({ _tag: "Error", message: error[1]! })
  return Either.left(new VhParseError({ reply: "action", message: "expected OK, FAILED or ERROR", excerpt: excerptOf(first) }))
}

export const printActionReply = (reply: VhActionReply): string => {
  switch (reply._tag) {
    case "Ok":
      return "OK\n"
    case "Failed":
      return reply.reason === null ? "FAILED\n" : `FAILED: ${reply.reason}\n`
    case "Error":
      return `ERROR: ${reply.message}\n`
  }
}

/**
 * What a query (LIST, DEVICE INFO, …) answers instead of its layout when it cannot serve it:
 * a FAILED/ERROR line. Callers check this first to report a command failure, not a parse failure.
 */
export const failureOfQueryReply = (raw: string): VhActionReply | undefined => {
  const reply = parseActionReply(raw)
  return Either.isRight(reply) && reply.right._tag !== "Ok" ? reply.right : undefined
}

/** Texts `vhclient -t` prints when no client instance answers (seen in public driver code). */
export const clientNotRunningTexts = [
  "IPC client, server response open failed",
  "An existing client is not running.",
  "No response from IPC server"
] as const

export const isClientNotRunningText = (raw: string): boolean =>
  clientNotRunningTexts.some((text) => raw.includes(text))

/** `MANUAL HUB LIST`: one `host[:port]` per line. */
export const parseManualHubList = (raw: string): ReadonlyArray<string> =>
  replyLines(normalizeReply(raw))
    .map((line) => line.trim())
    .filter((line) => line !== "")

export const printManualHubList = (hubs: ReadonlyArray<string>): string => hubs.map((hub) => `${hub}\n`).join("")
