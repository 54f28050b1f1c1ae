import type { LiveEvent, MachineStatus, MachineWithOwner } from "@ncod/core"
import { html, nothing } from "lit"
import { customElement, state } from "lit/decorators.js"
import { confirmDialog, I18nElement, kt, LiveController, pageStyles, toast, type UiError } from "@ncod/web"
import { admin } from "../app.js"
import { approveMachine, fetchMachines, revokeMachine } from "../data/machines.js"
import { at } from "../messages.js"

/** MAC binding requests from the ncod client's sign-ins: approve or revoke. */
@customElement("admin-machines")
export class AdminMachines extends I18nElement {
  @state() accessor machines: ReadonlyArray<typeof MachineWithOwner.Type> | undefined
  @state() accessor status: MachineStatus | "" = "pending"
  @state() accessor error: UiError | undefined
  private readonly live = new LiveController(this, admin.live, (event: LiveEvent) => {
    if (event._tag === "MachineStatusChanged" || event._tag === "Resync") void this.load()
  })
  static override styles = pageStyles

  override connectedCallback() {
    super.connectedCallback()
    void this.load()
  }

  private async load() {
    this.error = undefined
    try {
      this.machines = await fetchMachines(admin.api, this.status || undefined)
    } catch (error) {
      this.error = error as UiError
    }
  }

  private async run(task: () => Promise<unknown>, done: string) {
    try {
      await task()
      toast(done, "success")
    } catch (error) {
      toast((error as UiError).message, "danger", 10_000)
    }
    await this.load()
  }

  override render() {
    return html`<h1>${at("machines.title")}</h1>
      <p class="muted">${at("machines.intro")}</p>
      <div class="toolbar">
        <sl-select label=${at("user.status")} .value=${this.status} @sl-change=${(event: Event) => {
          this.status = (event.target as HTMLSelectElement).value as MachineStatus | ""
          void this.load()
        }}>
          <sl-option value="">${at("common.all")}</sl-option>
          ${(["pending", "approved", "revoked"] as const).map((s) => html`<sl-option value=${s}>${kt(`machineStatus.${s}`)}</sl-option>`)}
        </sl-select>
      </div>
      ${this.error ? html`<nc-error .error=${this.error} retry @nc-retry=${this.load}></nc-error>` : nothing}
      ${this.machines === undefined
        ? this.error ? nothing : html`<nc-loading></nc-loading>`
        : this.machines.length === 0
          ? html`<nc-empty icon="laptop" heading=${at("machines.none")}>${at("machines.noneHint")}</nc-empty>`
          : html`<div class="table-wrap"><table class="data cards">
              <thead><tr><th>${at("machines.owner")}</th><th>${at("machines.mac")}</th><th>${at("machines.hostname")}</th><th>${at("user.status")}</th><th>${at("machines.requested")}</th><th></th></tr></thead>
              <tbody>${this.machines.map(({ machine, username, displayName }) => html`<tr>
                <td data-label=${at("machines.owner")}><span class="display-name">${displayName}</span><div class="muted">${username}</div></td>
                <td data-label=${at("machines.mac")} class="mono">${machine.mac}</td>
                <td data-label=${at("machines.hostname")}>${machine.hostname ?? "–"}</td>
                <td data-label=${at("user.status")}><nc-status kind="machineStatus" value=${machine.status}></nc-status></td>
                <td data-label=${at("machines.requested")}><nc-time .at=${machine.requestedAt}></nc-time></td>
                <td><div class="row">
                  ${machine.status !== "approved" ? html`<sl-button size="small" variant="success" @click=${() => this.run(() => approveMachine(admin.api, machine.id), at("machines.approved"))}>${at("approvals.approve")}</sl-button>` : nothing}
                  ${machine.status !== "revoked" ? html`<sl-button size="small" variant="danger" outline @click=${async () => {
                    if (await confirmDialog(at("machines.revokeConfirm", { mac: machine.mac, name: username }), at("machines.revoke")))
                      await this.run(() => revokeMachine(admin.api, machine.id), at("machines.revoked"))
                  }}>${at("machines.revoke")}</sl-button>` : nothing}
                </div></td>
              </tr>`)}</tbody>
            </table></div>`}`
  }
}
