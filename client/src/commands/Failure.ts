import { Data } from "effect"

/** Exit codes (documented in client/README.md). */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  notSignedIn: 3,
  refused: 4,
  unavailable: 5,
  virtualHere: 6,
  unreachable: 7
} as const

/** The command line asks for something impossible (no such device, several match, missing flag). */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

/** Leave with this code; the command already told the user why (or `message` says it now). */
export class CliExit extends Data.TaggedError("CliExit")<{ readonly code: number; readonly message: string | null }> {}

/** The master cannot be reached, or its certificate is not the pinned one. */
export class MasterUnreachable extends Data.TaggedError("MasterUnreachable")<{ readonly message: string }> {}

const tlsCodes = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_SIGNATURE_FAILURE",
  "CERT_UNTRUSTED"
])

/** The deepest `code` in an error's cause chain (ECONNREFUSED, a TLS verification code…). */
export const errorCode = (error: unknown): string | undefined => {
  let current: unknown = error
  let found: string | undefined
  for (let depth = 0; depth < 6 && current !== null && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string") found = code
    current = (current as { cause?: unknown }).cause
  }
  return found
}

const deepestMessage = (error: unknown): string => {
  let current: unknown = error
  let message = String((error as Error | undefined)?.message ?? error)
  for (let depth = 0; depth < 6 && current !== null && typeof current === "object"; depth++) {
    const candidate = (current as { message?: unknown }).message
    if (typeof candidate === "string" && candidate.length > 0) message = candidate
    current = (current as { cause?: unknown }).cause
  }
  return message
}

/** Whether a failure means "the master is not reachable now" (worth a retry with backoff). */
export const isTransportFailure = (error: unknown): boolean => {
  const tag = (error as { _tag?: unknown } | null)?._tag
  if (tag === "MasterUnreachable") return true
  if (tag === "RequestError") return true
  if (tag === "ResponseError") {
    const status = (error as { response?: { status?: number } }).response?.status ?? 0
    return status === 502 || status === 503 || status === 504
  }
  return false
}

/** A one-line reason for an unreachable master, with what to do. */
export const describeTransport = (error: unknown, baseUrl: string | undefined): string => {
  const code = errorCode(error)
  const where = baseUrl ?? "the master"
  if (code !== undefined && tlsCodes.has(code)) {
    return code === "ERR_TLS_CERT_ALTNAME_INVALID"
      ? `the master's certificate is not valid for the name in ${where}: use a name it was issued for`
      : `the master's certificate is not the one this client trusts (${code}): if the master's keys were renewed, run \`ncod login --ca-file <ca.crt>\` to pin the new CA`
  }
  if (code === "ECONNREFUSED") return `nothing answers at ${where} (connection refused): is the master running?`
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `the master's host name in ${where} does not resolve`
  if (code === "ETIMEDOUT" || code === "EHOSTUNREACH" || code === "ENETUNREACH") return `${where} is not reachable from this computer (${code})`
  const status = (error as { response?: { status?: number } }).response?.status
  if (status !== undefined) return `${where} answered HTTP ${status}: the master is unavailable, try again shortly`
  return `cannot reach ${where}: ${deepestMessage(error)}`
}

const serverMessage = (error: unknown) => {
  const message = (error as { message?: unknown }).message
  return typeof message === "string" && message.length > 0 ? message : undefined
}

/**
 * The exit code and the one line shown for a failure. The master's own `message` is already in the
 * user's language (Accept-Language), so it is shown as is, with a hint in English where useful.
 */
export const describeFailure = (error: unknown, baseUrl?: string): { readonly code: number; readonly message: string } => {
  const tag = (error as { _tag?: unknown } | null)?._tag
  const text = serverMessage(error)
  switch (tag) {
    case "CliExit":
      return { code: (error as CliExit).code, message: (error as CliExit).message ?? "" }
    case "UsageError":
    case "ValidationError":
      return { code: ExitCode.usage, message: text ?? "invalid command line" }
    case "ValidationFailed":
      return { code: ExitCode.usage, message: text ?? "the master refused the request as invalid" }
    case "NotSignedIn":
      return {
        code: ExitCode.notSignedIn,
        message: (error as { reason?: string }).reason === "expired" ? "your session has expired: run `ncod login`" : "not signed in: run `ncod login`"
      }
    case "Unauthenticated":
      return { code: ExitCode.notSignedIn, message: `${text ?? "not signed in"} (run \`ncod login\`)` }
    case "MachinePending":
    case "MachineRevoked":
    case "MachineUntrusted":
    case "AccountPending":
    case "AccountRejected":
    case "AccountDisabled":
    case "PasswordChangeRequired":
    case "InvalidCredentials":
    case "TooManyAttempts":
    case "RateLimited":
    case "Forbidden":
      return { code: ExitCode.refused, message: text ?? String(tag) }
    case "DeviceBusy":
    case "DeviceUnavailable":
    case "HeldElsewhere":
    case "Conflict":
      return { code: ExitCode.unavailable, message: text ?? String(tag) }
    case "NotFound":
      return { code: ExitCode.unavailable, message: text ?? "not found" }
    case "VhProblem":
      return { code: ExitCode.virtualHere, message: text ?? "VirtualHere client problem" }
    case "MasterUnreachable":
    case "RequestError":
      return { code: ExitCode.unreachable, message: tag === "MasterUnreachable" ? text! : describeTransport(error, baseUrl) }
    case "ResponseError":
      return isTransportFailure(error)
        ? { code: ExitCode.unreachable, message: describeTransport(error, baseUrl) }
        : { code: ExitCode.unexpected, message: `unexpected answer from the master: ${deepestMessage(error)}` }
    case "ParseError":
      return { code: ExitCode.unexpected, message: `the master's answer does not match this client's version: ${deepestMessage(error)}` }
    case "ConfigFileError":
      return { code: ExitCode.unexpected, message: text ?? "cannot use the configuration directory" }
    case "QuitException":
      return { code: 130, message: "cancelled" }
    default:
      return { code: ExitCode.unexpected, message: text ?? deepestMessage(error) }
  }
}
