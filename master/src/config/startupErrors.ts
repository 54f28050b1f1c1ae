import { type ConfigError } from "effect"

/** Flattens a ConfigError into `SETTING: problem; SETTING: problem` for one readable line. */
export const formatConfigError = (error: ConfigError.ConfigError): string => {
  const leaves: Array<string> = []
  const visit = (e: ConfigError.ConfigError) => {
    switch (e._op) {
      case "And":
      case "Or":
        visit(e.left)
        visit(e.right)
        return
      case "MissingData":
        leaves.push(`${e.path.join(".") || "setting"} is required`)
        return
      default:
        leaves.push(`${e.path.join(".") || "setting"}: ${e.message}`)
    }
  }
  visit(error)
  return `invalid configuration: ${[...new Set(leaves)].join("; ")}`
}
