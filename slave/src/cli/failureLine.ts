import { Cause, ConfigError, Option } from "effect"

/**
 * The one line a person sees when a command fails: what is wrong and, where it helps, what to do.
 * Stack traces stay out (NCOD_LOG_LEVEL=debug prints the full cause).
 */
export const failureLine = (cause: Cause.Cause<unknown>): string => {
  const failure = Option.orElse(Cause.failureOption(cause), () => Cause.dieOption(cause))
  if (Option.isNone(failure)) return "stopped unexpectedly"
  const error = failure.value
  if (ConfigError.isConfigError(error)) return String(error)
  const message = (error as { message?: unknown })?.message
  if (typeof message === "string" && message.length > 0) return message.split("\n")[0]!
  return String((error as { _tag?: unknown })?._tag ?? error)
}
