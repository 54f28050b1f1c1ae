import type { LiveEvent, UsageRecord } from "@ncod/core"
import { html, nothing } from "lit"
import { customElement, query, state } from "lit/decorators.js"
import type SlDialog from "@shoelace-style/shoelace/dist/components/dialog/dialog.js"
import { debounce, formatDuration, I18nElement, kt, LiveController, pageStyles, toast, type UiError } from "@ncod/web"
import { admin } from "../app.js"
import { fetchUsage, forceRelease } from "../data/leases.js"
import { at } from "../messages.js"

/** Leases now and before; force release (optionally kicking the client off the device). */
@customElement("admin-leases")
export class AdminLeases extends I18nElement {
  @state() accessor records: ReadonlyArray<UsageRecord> | undefined
  @state() accessor nextCursor: string | null = null
  @state() accessor openOnly = true
  @state() accessor error: UiError | undefined
  @state() accessor forcing: { readonly record: UsageRecord; readonly reason: string; readonly kick: boolean } | undefined
  @state() accessor forceError: UiError | undefined
  @query("sl-dialog") accessor dialog!: SlDialog
  private readonly reloadSoon = debounce(() => void this.load(), 400)
  private readonly live = new LiveController(this, admin.live, (event: LiveEvent) => {
    if (event._tag === "LeaseChanged" || event._tag === "Resync") this.reloadSoon()
  })
  static override styles = pageStyles

  override connectedCallback() {
    super.connectedCallback()
    void this.load()
  }

  private async load() {
    this.error = undefined
    try {
      const page = await fetchUsage(admin.api, { ...(this.openOnly ? { open: true } : {}), limit: 100 })
      this.records = page.items
      this.nextCursor = page.nextCursor
    } catch (error) {
      this.error = error as UiError
    }
  }

  private async loadMore() {
    if (!this.nextCursor) return
    const page = await fetchUsage(admin.api, { ...(this.openOnly ? { open: true } : {}), limit: 100, cursor: this.nextCursor })
    this.records = [...(this.records ?? []), ...page.items]
    this.nextCursor = page.nextCursor
  }

  private async force() {
    const forcing = this.forcing
    if (!forcing || !forcing.reason.trim()) return
    this.forceError = undefined
    try {
      await forceRelease(admin.api, forcing.record.lease.id, forcing.reason.trim(), forcing.kick)
      await this.dialog.hide()
      toast(at("leases.forced"), "success")
      await this.load()
    } catch (error) {
      this.forceError = error as UiError
    }
  }

  override render() {
    return html`<h1>${at("leases.title")}</h1>
      <div class="toolbar">
        <sl-switch ?checked=${this.openOnly} @sl-change=${(event: Event) => {
          this.openOnly = (event.target as HTMLInputElement).checked
          void this.load()
        }}>${at("leases.openOnly")}</sl-switch>
      </div>
      ${this.error ? html`<nc-error .error=${this.error} retry @nc-retry=${this.load}></nc-error>` : nothing}
      ${this.records === undefined
        ? this.error ? nothing : html`<nc-loading></nc-loading>`
        : this.records.length === 0
          ? html`<nc-empty icon="clock-history" heading=${at("leases.none")}></nc-empty>`
          : html`<div class="table-wrap"><table class="data cards">
              <thead><tr><th>${at("leases.device")}</th><th>${at("leases.user")}</th><th>${at("user.status")}</th><th>${at("leases.started")}</th><th>${at("leases.duration")}</th><th></th></tr></thead>
              <tbody>${this.records.map((record) => html`<tr data-lease=${record.lease.id}>
                <td data-label=${at("leases.device")}><span class="device-name">${record.deviceName}</span><div class="muted slave-name">${record.slaveName}</div></td>
                <td data-label=${at("leases.user")}><span class="display-name">${record.displayName}</span><div class="muted">${record.username}</div></td>
                <td data-label=${at("user.status")}><nc-status kind="leaseState" value=${record.lease.state}></nc-status>
                  ${record.lease.endReason ? html`<div class="muted">${kt(`endReason.${record.lease.endReason}`)}</div>` : nothing}</td>
                <td data-label=${at("leases.started")}><nc-time .at=${record.lease.startedAt}></nc-time></td>
                <td data-label=${at("leases.duration")}>${formatDuration(record.durationSeconds)}</td>
                <td>${record.lease.state !== "ended"
                  ? html`<sl-button size="small" variant="danger" outline @click=${() => {
                      this.forcing = { record, reason: "", kick: false }
                      this.forceError = undefined
                      void this.dialog.show()
                    }}>${at("leases.force")}</sl-button>`
                  : nothing}</td>
              </tr>`)}</tbody>
            </table></div>
            ${this.nextCursor ? html`<div class="more"><sl-button @click=${this.loadMore}>${at("common.loadMore")}</sl-button></div>` : nothing}`}
      <sl-dialog label=${at("leases.force")}>
        ${this.forceError ? html`<nc-error .error=${this.forceError}></nc-error>` : nothing}
        ${this.forcing
          ? html`<p>${at("leases.forcePrompt", { device: this.forcing.record.deviceName, user: this.forcing.record.displayName })}</p>
              <div class="stack">
                <sl-textarea label=${at("common.reason")} maxlength="500" .value=${this.forcing.reason}
                  @sl-input=${(event: Event) => this.forcing && (this.forcing = { ...this.forcing, reason: (event.target as HTMLTextAreaElement).value })}></sl-textarea>
                <sl-checkbox ?checked=${this.forcing.kick} @sl-change=${(event: Event) => this.forcing && (this.forcing = { ...this.forcing, kick: (event.target as HTMLInputElement).checked })}>
                  ${at("leases.kick")}</sl-checkbox>
              </div>`
          : nothing}
        <sl-button slot="footer" @click=${() => this.dialog.hide()}>${kt("action.cancel")}</sl-button>
        <sl-button slot="footer" variant="danger" ?disabled=${!this.forcing?.reason.trim()} @click=${this.force}>${at("leases.force")}</sl-button>
      </sl-dialog>`
  }
}
