import { Cause, HashMap, Inspectable, Layer, Logger, LogLevel } from "effect"

/**
 * One JSON object per line on stdout (journald keeps it): time, level, message, then the
 * annotations flat (`slaveId`, `device`, `reason`…) so a log shipper can index them. The same
 * shape as the master's, written here because the slave may not import the master.
 */
export const jsonLineLogger = Logger.make<unknown, string>(({ annotations, cause, date, logLevel, message }) => {
  const messages = Array.isArray(message) ? message : [message]
  const entry: Record<string, unknown> = {
    time: date.toISOString(),
    level: logLevel.label.toLowerCase(),
    msg: messages.map((m) => (typeof m === "string" ? m : Inspectable.toStringUnknown(m))).join(" ")
  }
  for (const [key, value] of HashMap.toEntries(annotations)) entry[key] = Inspectable.toJSON(value)
  if (!Cause.isEmpty(cause)) entry["cause"] = Cause.pretty(cause, { renderErrorCause: true })
  return JSON.stringify(entry)
})

export type LogFormat = "json" | "pretty"

export const parseLogLevel = (text: string | undefined): LogLevel.LogLevel => {
  switch ((text ?? "info").toLowerCase()) {
    case "trace":
      return LogLevel.Trace
    case "debug":
      return LogLevel.Debug
    case "warning":
    case "warn":
      return LogLevel.Warning
    case "error":
      return LogLevel.Error
    case "fatal":
      return LogLevel.Fatal
    case "none":
      return LogLevel.None
    default:
      return LogLevel.Info
  }
}

export const loggingLayer = (format: LogFormat, level: LogLevel.LogLevel) =>
  Layer.merge(
    Logger.minimumLogLevel(level),
    format === "json"
      ? Logger.replace(Logger.defaultLogger, Logger.withConsoleLog(jsonLineLogger))
      : Logger.replace(Logger.defaultLogger, Logger.prettyLogger({ colors: "auto" }))
  )

/** NCOD_LOG_FORMAT / NCOD_LOG_LEVEL, the same names the master reads. */
export const loggingFromEnv = (env: NodeJS.ProcessEnv = process.env) =>
  loggingLayer(env["NCOD_LOG_FORMAT"] === "pretty" ? "pretty" : "json", parseLogLevel(env["NCOD_LOG_LEVEL"]))
