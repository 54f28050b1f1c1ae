import { Option, Redacted } from "effect"
import type { RunningMaster } from "../Master.js"

/** The few lines a person needs after `npm start`: where it runs, on what, and how to get in. */
export const banner = (master: RunningMaster): string => {
  const lines = [
    `ncod master is running at ${master.url}`,
    `  API docs:  ${master.url}/docs     health: ${master.url}/healthz`,
    `  database:  ${master.database.kind === "embedded" ? "embedded PostgreSQL in " : "PostgreSQL at "}${master.database.target}`
  ]
  if (master.demoSlaves > 0) lines.push(`  demo:      ${master.demoSlaves} simulated slaves report through the API (NCOD_DEMO=false turns them off)`)
  if (master.tls) lines.push(`  TLS:       trust ${master.keysDir}/ca.crt to avoid certificate warnings`)
  if (Option.isSome(master.firstAdmin)) {
    const { password, username } = master.firstAdmin.value
    lines.push(
      `  first admin: ${username} / ${Redacted.value(password)}   (shown once; you must change it at first login)`
    )
  }
  const width = Math.max(...lines.map((line) => line.length)) + 2
  const rule = "=".repeat(width)
  return [rule, ...lines, rule].join("\n")
}
