import type { AuditEvent, AuditResult } from "@ncod/core"
import { DateTime } from "effect"
import { css, html, nothing } from "lit"
import { customElement, state } from "lit/decorators.js"
import { debounce, I18nElement, pageStyles, toast, type UiError } from "@ncod/web"
import { admin } from "../app.js"
import { type AuditFilter, auditCsv, fetchAllAudit, fetchAudit } from "../data/audit.js"
import { at } from "../messages.js"

/** The audit log with filters (action, actor, result, time range) and CSV export of the filtered log. */
@customElement("admin-audit")
export class AdminAudit extends I18nElement {
  @state() accessor events: ReadonlyArray<AuditEvent> | undefined
  @state() accessor nextCursor: string | null = null
  @state() accessor filters = { action: "", actor: "", result: "", from: "", to: "" }
  @state() accessor error: UiError | undefined
  @state() accessor exporting = false
  private readonly reloadSoon = debounce(() => void this.load(), 350)

  static override styles = [
    pageStyles,
    css`
      .details {
        font-family: var(--sl-font-mono);
        font-size: var(--sl-font-size-x-small);
        white-space: pre-wrap;
        overflow-wrap: anywhere;
        max-width: 28rem;
      }
    `
  ]

  override connectedCallback() {
    super.connectedCallback()
    void this.load()
  }

  private filter(): AuditFilter {
    const f = this.filters
    const instant = (value: string) => {
      const parsed = value ? DateTime.make(new Date(value)) : undefined
      return parsed && parsed._tag === "Some" ? DateTime.toUtc(parsed.value) : undefined
    }
    const from = instant(f.from)
    const to = instant(f.to)
    return {
      ...(f.action.trim() ? { action: f.action.trim() } : {}),
      ...(f.actor.trim() ? { actor: f.actor.trim() } : {}),
      ...(f.result ? { result: f.result as AuditResult } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      limit: 100
    }
  }

  private async load() {
    this.error = undefined
    try {
      const page = await fetchAudit(admin.api, this.filter())
      this.events = page.items
      this.nextCursor = page.nextCursor
    } catch (error) {
      this.error = error as UiError
    }
  }

  private async loadMore() {
    if (!this.nextCursor) return
    const page = await fetchAudit(admin.api, { ...this.filter(), cursor: this.nextCursor })
    this.events = [...(this.events ?? []), ...page.items]
    this.nextCursor = page.nextCursor
  }

  private async exportCsv() {
    this.exporting = true
    try {
      const events = await fetchAllAudit(admin.api, this.filter())
      const url = URL.createObjectURL(new Blob([auditCsv(events)], { type: "text/csv;charset=utf-8" }))
      const link = Object.assign(document.createElement("a"), { href: url, download: `ncod-audit-${new Date().toISOString().slice(0, 19).replaceAll(":", "")}.csv` })
      document.body.append(link)
      link.click()
      link.remove()
      setTimeout(() => URL.revokeObjectURL(url), 10_000)
      toast(at("audit.exported", { n: events.length }), "success")
    } catch (error) {
      toast((error as UiError).message, "danger", 10_000)
    } finally {
      this.exporting = false
    }
  }

  private set(key: keyof AdminAudit["filters"], text: boolean) {
    return (event: Event) => {
      this.filters = { ...this.filters, [key]: (event.target as HTMLInputElement).value }
      if (text) this.reloadSoon()
      else void this.load()
    }
  }

  override render() {
    return html`<h1>${at("audit.title")}</h1>
      <div class="toolbar" role="search">
        <sl-input label=${at("audit.action")} placeholder="auth.login" clearable .value=${this.filters.action} @sl-input=${this.set("action", true)}></sl-input>
        <sl-input label=${at("audit.actor")} clearable .value=${this.filters.actor} @sl-input=${this.set("actor", true)}></sl-input>
        <sl-select label=${at("audit.result")} .value=${this.filters.result} @sl-change=${this.set("result", false)}>
          <sl-option value="">${at("common.all")}</sl-option>
          <sl-option value="success">${at("audit.success")}</sl-option>
          <sl-option value="denied">${at("audit.denied")}</sl-option>
          <sl-option value="failed">${at("audit.failed")}</sl-option>
        </sl-select>
        <sl-input type="datetime-local" label=${at("audit.from")} .value=${this.filters.from} @sl-change=${this.set("from", false)}></sl-input>
        <sl-input type="datetime-local" label=${at("audit.to")} .value=${this.filters.to} @sl-change=${this.set("to", false)}></sl-input>
        <sl-button ?loading=${this.exporting} @click=${this.exportCsv}><sl-icon slot="prefix" name="download"></sl-icon>${at("audit.export")}</sl-button>
      </div>
      ${this.error ? html`<nc-error .error=${this.error} retry @nc-retry=${this.load}></nc-error>` : nothing}
      ${this.events === undefined
        ? this.error ? nothing : html`<nc-loading></nc-loading>`
        : this.events.length === 0
          ? html`<nc-empty icon="journal-text" heading=${at("audit.none")}>${at("common.noMatchHint")}</nc-empty>`
          : html`<div class="table-wrap"><table class="data cards">
              <thead><tr><th>${at("audit.when")}</th><th>${at("audit.actor")}</th><th>${at("audit.action")}</th><th>${at("audit.target")}</th><th>${at("audit.result")}</th><th>${at("audit.details")}</th></tr></thead>
              <tbody>${this.events.map((event) => html`<tr>
                <td data-label=${at("audit.when")}><nc-time .at=${event.at} absolute></nc-time></td>
                <td data-label=${at("audit.actor")}><span class="actor-name">${event.actorName ?? "–"}</span><div class="muted">${event.actorKind}${event.sourceIp ? ` · ${event.sourceIp}` : ""}</div></td>
                <td data-label=${at("audit.action")} class="mono">${event.action}</td>
                <td data-label=${at("audit.target")}>${event.targetType ?? ""}<div class="muted mono">${event.targetId ?? ""}</div></td>
                <td data-label=${at("audit.result")}><sl-badge variant=${event.result === "success" ? "success" : event.result === "denied" ? "warning" : "danger"}>${at(`audit.${event.result}`)}</sl-badge></td>
                <td data-label=${at("audit.details")}><div class="details">${Object.keys(event.details).length > 0 ? JSON.stringify(event.details, null, 1) : ""}</div></td>
              </tr>`)}</tbody>
            </table></div>
            ${this.nextCursor ? html`<div class="more"><sl-button @click=${this.loadMore}>${at("common.loadMore")}</sl-button></div>` : nothing}`}`
  }
}
