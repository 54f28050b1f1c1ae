import type { DeviceGrant, GrantSubject, GrantTarget, OrgUnit, OrgUnitId, User, UserId } from "@ncod/core"
import { html, nothing } from "lit"
import { customElement, query, state } from "lit/decorators.js"
import type SlDialog from "@shoelace-style/shoelace/dist/components/dialog/dialog.js"
import { getLocale, I18nElement, kt, orgUnitsData, pageStyles, toast, type UiError } from "@ncod/web"
import { admin } from "../app.js"
import { createGrant, deleteGrant, fetchGrants } from "../data/fleet.js"
import { fetchUsers } from "../data/users.js"
import { at } from "../messages.js"

/** Who may use a device or every device of a slave: grants to users or to org units (and below). */
@customElement("grants-dialog")
export class GrantsDialog extends I18nElement {
  @state() accessor grantTarget: GrantTarget | undefined
  @state() accessor targetName = ""
  @state() accessor grants: ReadonlyArray<DeviceGrant> = []
  @state() accessor units: ReadonlyArray<OrgUnit> = []
  @state() accessor users: ReadonlyArray<User> = []
  @state() accessor userQuery = ""
  @state() accessor subjectKind: "orgUnit" | "user" = "orgUnit"
  @state() accessor subjectId = ""
  @state() accessor error: UiError | undefined
  @state() accessor busy = false
  @query("sl-dialog") accessor dialog!: SlDialog
  private knownUsers = new Map<string, User>()

  static override styles = pageStyles

  async open(target: GrantTarget, title: string) {
    this.grantTarget = target
    this.targetName = title
    this.error = undefined
    this.subjectId = ""
    await this.dialog.show()
    await this.load()
  }

  private async load() {
    const target = this.grantTarget
    if (!target) return
    try {
      const [grants, units, users] = await Promise.all([
        fetchGrants(admin.api, target._tag === "device" ? { deviceId: target.deviceId } : { slaveId: target.slaveId }),
        orgUnitsData.fetchOrgTree(admin.api),
        fetchUsers(admin.api, { status: "approved", limit: 100, ...(this.userQuery ? { q: this.userQuery } : {}) })
      ])
      // a device's list also returns its slave's grants: show only this target's own
      this.grants = grants.filter((grant) => JSON.stringify(grant.target) === JSON.stringify(target))
      this.units = units
      this.users = users.items
      for (const user of users.items) this.knownUsers.set(user.id, user)
    } catch (error) {
      this.error = error as UiError
    }
  }

  private subjectLabel(subject: GrantSubject) {
    if (subject._tag === "orgUnit") {
      const path = orgUnitsData.pathTo(this.units, subject.orgUnitId)
      return `${at("grants.unit")}: ${orgUnitsData.pathLabel(path, getLocale()) || subject.orgUnitId}`
    }
    const user = this.knownUsers.get(subject.userId)
    return `${at("grants.user")}: ${user ? `${user.displayName} (${user.username})` : subject.userId}`
  }

  private async add() {
    if (!this.grantTarget || !this.subjectId) return
    this.busy = true
    this.error = undefined
    try {
      const subject: GrantSubject =
        this.subjectKind === "orgUnit" ? { _tag: "orgUnit", orgUnitId: this.subjectId as OrgUnitId } : { _tag: "user", userId: this.subjectId as UserId }
      await createGrant(admin.api, this.grantTarget, subject)
      toast(at("grants.added"), "success")
      this.subjectId = ""
      await this.load()
    } catch (error) {
      this.error = error as UiError
    } finally {
      this.busy = false
    }
  }

  private async removeGrant(grant: DeviceGrant) {
    try {
      await deleteGrant(admin.api, grant.id)
      toast(at("grants.removed"), "success")
      await this.load()
    } catch (error) {
      this.error = error as UiError
    }
  }

  override render() {
    const locale = getLocale()
    const unitOptions = this.units
      .filter((unit) => unit.retiredAt === null)
      .map((unit) => ({ id: unit.id, label: orgUnitsData.pathLabel(orgUnitsData.pathTo(this.units, unit.id), locale) }))
      .sort((a, b) => a.label.localeCompare(b.label))
    return html`<sl-dialog label=${at("grants.title", { name: this.targetName })} style="--width: 40rem">
      ${this.error ? html`<nc-error .error=${this.error}></nc-error>` : nothing}
      <p class="muted">${at("grants.intro")}</p>
      ${this.grants.length === 0
        ? html`<p><strong>${at("grants.none")}</strong></p>`
        : html`<ul>${this.grants.map((grant) => html`<li class="row"><span class="grant-subject">${this.subjectLabel(grant.subject)}</span>
            <sl-button size="small" variant="danger" outline @click=${() => this.removeGrant(grant)}>${at("grants.remove")}</sl-button></li>`)}</ul>`}
      <sl-divider></sl-divider>
      <div class="stack">
        <sl-select label=${at("grants.to")} .value=${this.subjectKind} @sl-change=${(event: Event) => {
          this.subjectKind = (event.target as HTMLSelectElement).value as "orgUnit" | "user"
          this.subjectId = ""
        }}>
          <sl-option value="orgUnit">${at("grants.unit")}</sl-option>
          <sl-option value="user">${at("grants.user")}</sl-option>
        </sl-select>
        ${this.subjectKind === "orgUnit"
          ? html`<sl-select name="grant-unit" label=${at("grants.unit")} .value=${this.subjectId} @sl-change=${(event: Event) => (this.subjectId = (event.target as HTMLSelectElement).value)}>
              ${unitOptions.map((option) => html`<sl-option value=${option.id}>${option.label}</sl-option>`)}
            </sl-select>`
          : html`<sl-input type="search" label=${at("common.search")} .value=${this.userQuery} @sl-change=${(event: Event) => {
                this.userQuery = (event.target as HTMLInputElement).value
                void this.load()
              }}></sl-input>
              <sl-select name="grant-user" label=${at("grants.user")} .value=${this.subjectId} @sl-change=${(event: Event) => (this.subjectId = (event.target as HTMLSelectElement).value)}>
                ${this.users.map((user) => html`<sl-option value=${user.id}>${user.displayName} (${user.username})</sl-option>`)}
              </sl-select>`}
      </div>
      <sl-button slot="footer" @click=${() => this.dialog.hide()}>${kt("action.close")}</sl-button>
      <sl-button slot="footer" variant="primary" ?disabled=${!this.subjectId} ?loading=${this.busy} @click=${this.add}>${at("grants.add")}</sl-button>
    </sl-dialog>`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "grants-dialog": GrantsDialog
  }
}
