import type { LiveEvent, Machine } from "@ncod/core"
import { html, nothing } from "lit"
import { customElement, state } from "lit/decorators.js"
import { fetchMyMachines, revokeMyMachine } from "../../data/machines.js"
import type { UiError } from "../../kit/api/UiError.js"
import { LiveController } from "../../kit/AppContext.js"
import { I18nElement } from "../../kit/components/I18nElement.js"
import { confirmDialog } from "../../kit/components/confirm.js"
import { toast } from "../../kit/components/toast.js"
import { href } from "../../kit/router.js"
import { pageStyles } from "../../kit/styles.js"
import { portal } from "../app.js"
import { pt } from "../messages.js"
import "../../kit/components/nc-states.js"
import "../../kit/components/nc-status.js"
import "../../kit/components/nc-time.js"

/** The PCs this user's ncod client signs in from (MAC bindings) and whether an admin approved them. */
@customElement("portal-machines")
export class PortalMachines extends I18nElement {
  @state() accessor machines: ReadonlyArray<Machine> | undefined
  @state() accessor error: UiError | undefined
  private readonly live = new LiveController(this, portal.live, (event: LiveEvent) => {
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
      this.machines = await fetchMyMachines(portal.api)
    } catch (error) {
      this.error = error as UiError
    }
  }

  private async revoke(machine: Machine) {
    if (!(await confirmDialog(pt("machines.revokeConfirm", { mac: machine.mac }), pt("machines.revoke")))) return
    try {
      await revokeMyMachine(portal.api, machine.id)
      toast(pt("machines.revoked"), "success")
      await this.load()
    } catch (error) {
      toast((error as UiError).message, "danger", 10_000)
    }
  }

  override render() {
    return html`<h1>${pt("machines.title")}</h1>
      <p>${pt("machines.intro")} <a href=${href("/manual/install-client")}>${pt("machines.manual")}</a></p>
      ${this.error ? html`<nc-error .error=${this.error} retry @nc-retry=${this.load}></nc-error>` : nothing}
      ${!this.machines
        ? this.error ? nothing : html`<nc-loading></nc-loading>`
        : this.machines.length === 0
          ? html`<nc-empty icon="laptop" heading=${pt("machines.none")}>${pt("machines.noneHint")}</nc-empty>`
          : html`<div class="table-wrap"><table class="data cards">
              <thead><tr><th>${pt("machines.mac")}</th><th>${pt("machines.hostname")}</th><th>${pt("field.status")}</th><th>${pt("machines.requested")}</th><th>${pt("machines.lastSeen")}</th><th></th></tr></thead>
              <tbody>${this.machines.map((machine) => html`<tr>
                <td data-label=${pt("machines.mac")} class="mono">${machine.mac}</td>
                <td data-label=${pt("machines.hostname")}>${machine.hostname ?? "–"}</td>
                <td data-label=${pt("field.status")}><nc-status kind="machineStatus" value=${machine.status}></nc-status>
                  ${machine.status === "pending" ? html`<div class="muted">${pt("machines.pendingHint")}</div>` : nothing}</td>
                <td data-label=${pt("machines.requested")}><nc-time .at=${machine.requestedAt}></nc-time></td>
                <td data-label=${pt("machines.lastSeen")}><nc-time .at=${machine.lastSeenAt}></nc-time></td>
                <td>${machine.status !== "revoked" ? html`<sl-button size="small" variant="danger" outline @click=${() => this.revoke(machine)}>${pt("machines.revoke")}</sl-button>` : nothing}</td>
              </tr>`)}</tbody>
            </table></div>`}`
  }
}
