import { Cause, HashMap, Inspectable, Layer, List, Logger, type LogLevel } from "effect"

/**
 * One JSON object per line: time, level, message, then the annotations (requestId, slaveId…) flat,
 * so log shippers can index them. Redacted values print as "<redacted>" through Inspectable.
 */
export const jsonLineLogger = Logger.make<unknown, string>(({ annotations, cause, date, logLevel, message, spans }) => {
  const messages = Array.isArray(message) ? message : [message]
  const entry: Record<string, unknown> = {
    time: date.toISOString(),
    level: logLevel.label.toLowerCase(),
    msg: messages.map((m) => (typeof m === "string" ? m : Inspectable.toStringUnknown(m))).join(" ")
  }
  for (const [key, value] of HashMap.toEntries(annotations)) entry[key] = Inspectable.toJSON(value)
  if (!List.isNil(spans)) {
    const now = date.getTime()
    for (const span of spans) entry[`${span.label}Ms`] = now - span.startTime
  }
  if (!Cause.isEmpty(cause)) entry["cause"] = Cause.pretty(cause, { renderErrorCause: true })
  return JSON.stringify(entry)
})

export const jsonLogger = Logger.replace(Logger.defaultLogger, Logger.withConsoleLog(jsonLineLogger))
export const prettyLogger = Logger.replace(Logger.defaultLogger, Logger.prettyLogger({ colors: "auto" }))

export const loggingLayer = (format: "json" | "pretty", level: LogLevel.LogLevel) =>
  Layer.merge(Logger.minimumLogLevel(level), format === "json" ? jsonLogger : prettyLogger)
