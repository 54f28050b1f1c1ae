import type { EnrollmentToken, LiveEvent, SlaveSummary } from "@ncod/core"
import { css, html, nothing } from "lit"
import { customElement, query, state } from "lit/decorators.js"
import type SlDialog from "@shoelace-style/shoelace/dist/components/dialog/dialog.js"
import { confirmDialog, debounce, I18nElement, inventoryData, kt, label as checkLabel, LiveController, pageStyles, toast, type UiError } from "@ncod/web"
import { admin } from "../app.js"
import type { GrantsDialog } from "../components/grants-dialog.js"
import { createEnrollmentToken, decommissionSlave, deleteSlave, fetchEnrollmentTokens, readmitSlave, renameSlave, revokeEnrollmentToken } from "../data/fleet.js"
import { at } from "../messages.js"
import "../components/grants-dialog.js"

interface Issued {
  readonly token: string
  readonly installCommand: string
  readonly label: string
}

/**
 * The slaves: status live, rename, decommission and re-admit, remove; enrollment tokens for new
 * slaves (the secret and its install command are shown once, with a copy button).
 */
@customElement("admin-slaves")
export class AdminSlaves extends I18nElement {
  @state() accessor slaves: ReadonlyArray<SlaveSummary> | undefined
  @state() accessor tokens: ReadonlyArray<EnrollmentToken> = []
  @state() accessor error: UiError | undefined
  @state() accessor form = { label: "", maxUses: "1", expiresInHours: "24" }
  @state() accessor formError: UiError | undefined
  @state() accessor touched = false
  @state() accessor issued: Issued | undefined
  @state() accessor busy = false
  @state() accessor renaming: { readonly summary: SlaveSummary; readonly name: string } | undefined
  @query("#token-dialog") accessor tokenDialog!: SlDialog
  @query("#rename-dialog") accessor renameDialog!: SlDialog
  @query("grants-dialog") accessor grantsDialog!: GrantsDialog
  private readonly reloadSoon = debounce(() => void this.load(), 300)
  private readonly live = new LiveController(this, admin.live, (event: LiveEvent) => {
    if (["SlaveStatusChanged", "DeviceAdded", "DeviceRemoved", "Resync"].includes(event._tag)) this.reloadSoon()
  })

  static override styles = [
    pageStyles,
    css`
      .field-error {
        color: var(--sl-color-danger-700);
        font-size: var(--sl-font-size-small);
      }
      .counts {
        white-space: nowrap;
      }
    `
  ]

  override connectedCallback() {
    super.connectedCallback()
    void this.load()
  }

  private async load() {
    this.error = undefined
    try {
      const [slaves, tokens] = await Promise.all([inventoryData.fetchSlaves(admin.api), fetchEnrollmentTokens(admin.api)])
      this.slaves = [...slaves].sort((a, b) => a.slave.name.localeCompare(b.slave.name))
      this.tokens = tokens
    } catch (error) {
      this.error = error as UiError
    }
  }

  private async run(task: () => Promise<unknown>, done: string) {
    try {
      await task()
      toast(done, "success")
    } catch (error) {
      toast((error as UiError).message, "danger", 12_000)
    }
    await this.load()
  }

  private openTokenDialog() {
    this.form = { label: "", maxUses: "1", expiresInHours: "24" }
    this.issued = undefined
    this.formError = undefined
    this.touched = false
    void this.tokenDialog.show()
  }

  private async issue() {
    this.touched = true
    if (checkLabel(120)(this.form.label)) return
    this.busy = true
    this.formError = undefined
    try {
      const issued = await createEnrollmentToken(admin.api, {
        label: this.form.label.trim(),
        maxUses: Math.max(1, Math.min(10_000, Number(this.form.maxUses) || 1)),
        expiresInHours: Math.max(1, Math.min(24 * 365, Number(this.form.expiresInHours) || 24))
      })
      this.issued = { token: issued.token, installCommand: issued.installCommand, label: issued.enrollmentToken.label }
      await this.load()
    } catch (error) {
      this.formError = error as UiError
    } finally {
      this.busy = false
    }
  }

  private async rename() {
    const renaming = this.renaming
    if (!renaming || checkLabel(120)(renaming.name)) return
    await this.run(() => renameSlave(admin.api, renaming.summary.slave.id, renaming.name.trim()), at("slaves.renamed"))
    await this.renameDialog.hide()
  }

  private renderTokenDialog() {
    const labelError = this.touched ? checkLabel(120)(this.form.label) : undefined
    return html`<sl-dialog id="token-dialog" label=${at("slaves.newToken")} style="--width: 44rem">
      ${this.issued
        ? html`<sl-alert variant="success" open><sl-icon slot="icon" name="key"></sl-icon>${at("slaves.tokenOnce")}</sl-alert>
            <h3>${at("slaves.installCommand")}</h3>
            <p class="muted">${at("slaves.installHint")}</p>
            <nc-command class="install-command" command=${this.issued.installCommand}></nc-command>
            <h3>${at("slaves.tokenSecret")}</h3>
            <nc-command class="token-secret" command=${this.issued.token}></nc-command>`
        : html`${this.formError ? html`<nc-error .error=${this.formError}></nc-error>` : nothing}
            <div class="stack">
              <sl-input name="label" label=${at("slaves.tokenLabel")} help-text=${at("slaves.tokenLabelHint")} maxlength="120" .value=${this.form.label}
                @sl-input=${(event: Event) => (this.form = { ...this.form, label: (event.target as HTMLInputElement).value })}>
                ${labelError ? html`<div slot="help-text" class="field-error">${labelError}</div>` : nothing}
              </sl-input>
              <sl-input name="maxUses" type="number" min="1" max="10000" label=${at("slaves.tokenUses")} .value=${this.form.maxUses}
                @sl-input=${(event: Event) => (this.form = { ...this.form, maxUses: (event.target as HTMLInputElement).value })}></sl-input>
              <sl-input name="expires" type="number" min="1" max="8760" label=${at("slaves.tokenHours")} .value=${this.form.expiresInHours}
                @sl-input=${(event: Event) => (this.form = { ...this.form, expiresInHours: (event.target as HTMLInputElement).value })}></sl-input>
            </div>`}
      <sl-button slot="footer" @click=${() => this.tokenDialog.hide()}>${kt("action.close")}</sl-button>
      ${this.issued ? nothing : html`<sl-button slot="footer" variant="primary" ?loading=${this.busy} @click=${this.issue}>${at("slaves.createToken")}</sl-button>`}
    </sl-dialog>`
  }

  private renderSlaves(slaves: ReadonlyArray<SlaveSummary>) {
    if (slaves.length === 0) return html`<nc-empty icon="hdd-network" heading=${at("slaves.none")}>${at("slaves.noneHint")}</nc-empty>`
    return html`<div class="table-wrap"><table class="data cards slaves">
      <thead><tr><th>${at("slaves.name")}</th><th>${at("user.status")}</th><th>${at("slaves.devices")}</th><th>${at("slaves.lastSeen")}</th><th></th></tr></thead>
      <tbody>${slaves.map((summary) => {
        const { slave, devices } = summary
        const decommissioned = slave.status === "decommissioned"
        return html`<tr data-slave=${slave.name}>
          <td data-label=${at("slaves.name")}><strong class="slave-name">${slave.name}</strong>
            <div class="muted">${slave.host}:${slave.vhPort}${slave.vhServerVersion ? ` · VirtualHere ${slave.vhServerVersion}` : ""}</div></td>
          <td data-label=${at("user.status")}><div class="row"><nc-status kind="slaveStatus" value=${slave.status}></nc-status>
            <nc-status kind="accessMode" value=${slave.accessMode}></nc-status>
            ${slave.degraded ? html`<sl-badge variant="warning">${at("slaves.degraded")}</sl-badge>` : nothing}</div></td>
          <td data-label=${at("slaves.devices")} class="counts">${at("slaves.counts", { available: devices.available, inUse: devices.inUse, offline: devices.offline })}</td>
          <td data-label=${at("slaves.lastSeen")}><nc-time .at=${slave.lastSeenAt}></nc-time></td>
          <td><div class="row">
            <sl-button size="small" @click=${() => {
              this.renaming = { summary, name: slave.name }
              void this.renameDialog.show()
            }}>${at("slaves.rename")}</sl-button>
            <sl-button size="small" @click=${() => this.grantsDialog.open({ _tag: "slave", slaveId: slave.id }, slave.name)}>${at("grants.button")}</sl-button>
            ${decommissioned
              ? html`<sl-button size="small" @click=${() => this.run(() => readmitSlave(admin.api, slave.id), at("slaves.readmitted"))}>${at("slaves.readmit")}</sl-button>`
              : html`<sl-button size="small" variant="warning" outline @click=${async () => {
                  if (await confirmDialog(at("slaves.decommissionConfirm", { name: slave.name }), at("slaves.decommission")))
                    await this.run(() => decommissionSlave(admin.api, slave.id), at("slaves.decommissioned"))
                }}>${at("slaves.decommission")}</sl-button>`}
            <sl-button size="small" variant="danger" outline @click=${async () => {
              if (await confirmDialog(at("slaves.deleteConfirm", { name: slave.name }), at("slaves.delete"))) await this.run(() => deleteSlave(admin.api, slave.id), at("slaves.deleted"))
            }}>${at("slaves.delete")}</sl-button>
          </div></td>
        </tr>`
      })}</tbody>
    </table></div>`
  }

  override render() {
    const renameError = this.renaming ? checkLabel(120)(this.renaming.name) : undefined
    return html`<h1>${at("slaves.title")}</h1>
      <p class="muted">${at("slaves.intro")}</p>
      <div class="toolbar">
        <sl-button variant="primary" @click=${this.openTokenDialog}><sl-icon slot="prefix" name="key"></sl-icon>${at("slaves.newToken")}</sl-button>
      </div>
      ${this.error ? html`<nc-error .error=${this.error} retry @nc-retry=${this.load}></nc-error>` : nothing}
      ${this.slaves === undefined ? (this.error ? nothing : html`<nc-loading></nc-loading>`) : this.renderSlaves(this.slaves)}
      <h2>${at("slaves.tokens")}</h2>
      ${this.tokens.length === 0
        ? html`<p class="muted">${at("slaves.noTokens")}</p>`
        : html`<div class="table-wrap"><table class="data cards">
            <thead><tr><th>${at("slaves.tokenLabel")}</th><th>${at("slaves.tokenUsed")}</th><th>${at("slaves.tokenExpires")}</th><th></th></tr></thead>
            <tbody>${this.tokens.map((token) => html`<tr>
              <td data-label=${at("slaves.tokenLabel")} class="token-label">${token.label}</td>
              <td data-label=${at("slaves.tokenUsed")}>${token.uses} / ${token.maxUses}</td>
              <td data-label=${at("slaves.tokenExpires")}>${token.revokedAt ? at("slaves.tokenRevoked") : html`<nc-time .at=${token.expiresAt}></nc-time>`}</td>
              <td>${token.revokedAt ? nothing : html`<sl-button size="small" variant="danger" outline
                @click=${() => this.run(() => revokeEnrollmentToken(admin.api, token.id), at("slaves.tokenRevokedDone"))}>${at("slaves.revokeToken")}</sl-button>`}</td>
            </tr>`)}</tbody>
          </table></div>`}
      ${this.renderTokenDialog()}
      <sl-dialog id="rename-dialog" label=${at("slaves.rename")}>
        <sl-input label=${at("slaves.name")} maxlength="120" .value=${this.renaming?.name ?? ""}
          @sl-input=${(event: Event) => this.renaming && (this.renaming = { ...this.renaming, name: (event.target as HTMLInputElement).value })}>
          ${renameError ? html`<div slot="help-text" class="field-error">${renameError}</div>` : nothing}
        </sl-input>
        <sl-button slot="footer" @click=${() => this.renameDialog.hide()}>${kt("action.cancel")}</sl-button>
        <sl-button slot="footer" variant="primary" @click=${this.rename}>${kt("action.save")}</sl-button>
      </sl-dialog>
      <grants-dialog></grants-dialog>`
  }
}
