import { SqlError } from "@effect/sql"
import { Cause, ConfigError, Option } from "effect"
import { formatConfigError } from "../config/startupErrors.js"

const errorCode = (error: unknown): string | undefined => {
  let current: unknown = error
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string") return code
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

const deepestMessage = (error: unknown): string => {
  let current: unknown = error
  let message = String((error as Error)?.message ?? error)
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    const candidate = (current as { message?: unknown }).message
    if (typeof candidate === "string" && candidate.length > 0) message = candidate
    current = (current as { cause?: unknown }).cause
  }
  return message
}

/**
 * The one line a person sees when the master cannot start: which setting or resource is wrong and
 * what to do. Stack traces stay out (run with NCOD_LOG_LEVEL=debug to log the full cause).
 */
export const failureLine = (cause: Cause.Cause<unknown>, context: { readonly host?: string; readonly port?: number }) => {
  const failure = Option.orElse(Cause.failureOption(cause), () => Cause.dieOption(cause))
  if (Option.isNone(failure)) return "stopped unexpectedly"
  const error = failure.value
  if (ConfigError.isConfigError(error)) return formatConfigError(error)
  const code = errorCode(error)
  if ((error as { _tag?: string })._tag === "ServeError") {
    if (code === "EADDRINUSE") {
      return `port ${context.port ?? "?"} on ${context.host ?? "?"} is already in use: stop the other process or set NCOD_PORT`
    }
    if (code === "EACCES") return `not allowed to listen on port ${context.port ?? "?"}: use a port above 1023 or grant the capability`
    if (code === "EADDRNOTAVAIL") return `NCOD_HOST ${context.host ?? "?"} is not an address of this machine`
    return `the HTTP server cannot start: ${deepestMessage(error)}`
  }
  if (error instanceof SqlError.SqlError) return `cannot use the database: ${deepestMessage(error)}`
  if ((error as { _tag?: string })._tag === "MigrationError") return `database migration failed: ${deepestMessage(error)}`
  return deepestMessage(error)
}
