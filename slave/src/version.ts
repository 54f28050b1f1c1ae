import { createRequire } from "node:module"

/** The agent's version, from slave/package.json (sent with every report). */
export const agentVersion: string = (() => {
  try {
    return (createRequire(import.meta.url)("../package.json") as { version?: string }).version ?? "0.0.0"
  } catch {
    return "0.0.0"
  }
})()
