import type { AuditEvent, AuditResult } from "@ncod/core"
import { DateTime } from "effect"
import type { Api } from "@ncod/web"

/** The audit log, newest first (AdminAuditApi), and its CSV export. */
export interface AuditFilter {
  readonly action?: string
  readonly actor?: string
  readonly result?: AuditResult
  readonly from?: DateTime.Utc
  readonly to?: DateTime.Utc
  readonly cursor?: string
  readonly limit?: number
}

export const fetchAudit = (api: Api, filter: AuditFilter) => api.call((client) => client.adminAudit.list({ urlParams: filter }))

/** Every page of a filter, up to `max` events (the export). */
export const fetchAllAudit = async (api: Api, filter: AuditFilter, max = 10_000) => {
  const events: Array<AuditEvent> = []
  let cursor: string | undefined
  do {
    const page = await fetchAudit(api, { ...filter, limit: 500, ...(cursor ? { cursor } : {}) })
    events.push(...page.items)
    cursor = page.nextCursor ?? undefined
  } while (cursor !== undefined && events.length < max)
  return events.slice(0, max)
}

/**
 * One CSV field: quoted when needed, and a leading = + - @ (or tab/CR) defused with a quote mark so
 * a spreadsheet does not run an attacker's formula stored in a name or a detail (CSV injection).
 */
export const csvField = (value: unknown) => {
  let text = value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value)
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

export const auditCsv = (events: ReadonlyArray<AuditEvent>) => {
  const header = ["at", "actorKind", "actorName", "actorId", "action", "targetType", "targetId", "result", "sourceIp", "details"]
  const rows = events.map((event) =>
    [
      DateTime.formatIso(event.at),
      event.actorKind,
      event.actorName,
      event.actorId,
      event.action,
      event.targetType,
      event.targetId,
      event.result,
      event.sourceIp,
      event.details
    ].map(csvField).join(",")
  )
  // a BOM so spreadsheet programs read the Chinese names as UTF-8
  return `\uFEFF${[header.join(","), ...rows].join("\r\n")}\r\n`
}
