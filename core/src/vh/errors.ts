import { Schema } from "effect"

/**
 * Errors a caller of the VirtualHere integration can see. They are schemas (not plain classes) so
 * the slave agent and the client CLI can carry them over RPC and print them unchanged.
 */

/** A VirtualHere reply that does not have the layout its command promises. */
export class VhParseError extends Schema.TaggedError<VhParseError>()("VhParseError", {
  /** Which reply was being read: `list`, `state`, `device-info`, `server-info`, `action`, `hub-list`. */
  reply: Schema.String,
  message: Schema.String,
  /** 1-based line of the first offending line, when the layout is line-oriented. */
  line: Schema.optional(Schema.Int),
  /** The start of the offending text, clipped, for logs. */
  excerpt: Schema.String
}) {}

/** An argument refused before any command is built: it would break or inject into the IPC line. */
export class VhInvalidArgument extends Schema.TaggedError<VhInvalidArgument>()("VhInvalidArgument", {
  argument: Schema.String,
  reason: Schema.String
}) {}

/** No VirtualHere client answers on this machine (no daemon, no pipe, or its "not running" text). */
export class VhClientNotRunning extends Schema.TaggedError<VhClientNotRunning>()("VhClientNotRunning", {
  detail: Schema.String
}) {}

/** The client did not answer one command within the per-command timeout. */
export class VhTimeout extends Schema.TaggedError<VhTimeout>()("VhTimeout", {
  command: Schema.String,
  timeoutMillis: Schema.Int
}) {}

/** The client answered `FAILED…` or `ERROR…`, or the transport broke mid-command. */
export class VhCommandFailed extends Schema.TaggedError<VhCommandFailed>()("VhCommandFailed", {
  command: Schema.String,
  reason: Schema.String
}) {}

/** Clips text for error messages so a huge or binary reply never floods a log line. */
export const excerptOf = (text: string, max = 120): string => {
  const printable = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "?")
  return printable.length > max ? `${printable.slice(0, max)}…` : printable
}
