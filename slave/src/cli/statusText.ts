import type { AgentHealth } from "../agent/Health.js"

const ago = (iso: string | null, now: number) => {
  if (iso === null) return "never"
  const seconds = Math.round((now - Date.parse(iso)) / 1000)
  if (seconds < 0) return `in ${-seconds} s`
  if (seconds < 120) return `${seconds} s ago`
  if (seconds < 7200) return `${Math.round(seconds / 60)} min ago`
  return `${Math.round(seconds / 3600)} h ago`
}

const inSeconds = (iso: string | null, now: number) => (iso === null ? "?" : `${Math.max(0, Math.round((Date.parse(iso) - now) / 1000))} s`)

/** `ncod-slave status` for a person: one line per concern. */
export const formatStatus = (health: AgentHealth, now = Date.now()): string => {
  const rows: Array<[string, string]> = []
  rows.push(["agent", `running · pid ${health.pid} · version ${health.version} · started ${ago(health.startedAt, now)}`])
  rows.push(["slave", health.slave === null ? "not enrolled (ncod-slave enroll --master <url> --token <token>)" : `${health.slave.name} (${health.slave.id}) → ${health.slave.masterUrl}`])
  const master = health.master
  const report =
    health.lastReport === null
      ? "no report accepted yet"
      : `last report ${ago(health.lastReport.at, now)} (seq ${health.lastReport.seq}, ${health.lastReport.outcome}, ${health.lastReport.devices} devices) · next in ${inSeconds(health.nextReportAt, now)}`
  rows.push(["master", `${master.state} since ${ago(master.since, now)}${master.detail ? ` (${master.detail})` : ""} · ${report}`])
  rows.push([
    "grants",
    `link ${health.link.state}${health.link.detail ? ` (${health.link.detail})` : ""} · ${health.grants.count} grant${health.grants.count === 1 ? "" : "s"} · confirmed ${ago(health.grants.confirmedAt, now)}`
  ])
  const server = health.server
  rows.push([
    "vhusbd",
    `${health.vhusbd.state}${health.vhusbd.detail ? ` (${health.vhusbd.detail})` : ""}` +
      (server === null ? "" : ` · ${server.name}${server.version ? ` ${server.version}` : ""} · ${server.licensed ? "licensed" : "unlicensed"} (MAX DEVICES ${server.maxDevices ?? "?"})`)
  ])
  rows.push(["vh client", `${health.vhClient.state}${health.vhClient.detail ? ` (${health.vhClient.detail})` : ""}`])
  rows.push([
    "access",
    health.accessMode === "enforced" ? "enforced: vhusbd asks ncod-slave-hook before every bind" : "ADVISORY: access is not enforced on this slave (unlicensed vhusbd or hook not installed)"
  ])
  rows.push(["devices", `${health.devices.total} (${health.devices.inUse} in use)${health.degraded ? " · DEGRADED: last known list" : ""}`])
  return rows.map(([label, text]) => `${label.padEnd(10)} ${text}`).join("\n")
}
