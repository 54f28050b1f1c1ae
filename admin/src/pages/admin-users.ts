import type { OrgUnit, Role, User, UserStatus } from "@ncod/core"
import { html, nothing } from "lit"
import { customElement, query, state } from "lit/decorators.js"
import { debounce, getLocale, I18nElement, kt, type NcReasonDialog, orgUnitsData, pageStyles, toast, type UiError } from "@ncod/web"
import { admin } from "../app.js"
import { approveUser, disableUser, enableUser, fetchUsers, rejectUser, setRole } from "../data/users.js"
import { at } from "../messages.js"

/** Every account: search, filter by state and role, disable or enable, change the role. */
@customElement("admin-users")
export class AdminUsers extends I18nElement {
  @state() accessor users: ReadonlyArray<User> | undefined
  @state() accessor nextCursor: string | null = null
  @state() accessor units: ReadonlyArray<OrgUnit> = []
  @state() accessor q = ""
  @state() accessor status = ""
  @state() accessor roleFilter = ""
  @state() accessor error: UiError | undefined
  @query("nc-reason-dialog") accessor reasonDialog!: NcReasonDialog
  private readonly searchSoon = debounce(() => void this.load(), 300)

  static override styles = pageStyles

  override connectedCallback() {
    super.connectedCallback()
    void this.load()
    orgUnitsData.fetchOrgTree(admin.api).then((units) => (this.units = units), () => undefined)
  }

  private filter() {
    return {
      ...(this.q.trim() ? { q: this.q.trim() } : {}),
      ...(this.status ? { status: this.status as UserStatus } : {}),
      ...(this.roleFilter ? { role: this.roleFilter as Role } : {}),
      limit: 50
    }
  }

  private async load() {
    this.error = undefined
    try {
      const page = await fetchUsers(admin.api, this.filter())
      this.users = page.items
      this.nextCursor = page.nextCursor
    } catch (error) {
      this.error = error as UiError
    }
  }

  private async loadMore() {
    if (!this.nextCursor) return
    const page = await fetchUsers(admin.api, { ...this.filter(), cursor: this.nextCursor })
    this.users = [...(this.users ?? []), ...page.items]
    this.nextCursor = page.nextCursor
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

  private withReason(prompt: string, task: (reason: string) => Promise<unknown>, done: string) {
    this.reasonDialog.prompt = prompt
    void this.reasonDialog.open(async (reason) => {
      await task(reason)
      toast(done, "success")
      await this.load()
    })
  }

  private actions(user: User) {
    const me = admin.session?.user.id === user.id
    return html`<div class="row">
      ${user.status === "pending"
        ? html`<sl-button size="small" variant="success" @click=${() => this.run(() => approveUser(admin.api, user.id), at("approvals.approvedOne", { name: user.username }))}>${at("approvals.approve")}</sl-button>
            <sl-button size="small" variant="danger" outline @click=${() => this.withReason(at("approvals.rejectPrompt"), (reason) => rejectUser(admin.api, user.id, reason), at("approvals.rejected", { n: 1 }))}>${at("approvals.reject")}</sl-button>`
        : nothing}
      ${user.status === "approved" && !me
        ? html`<sl-button size="small" variant="danger" outline @click=${() => this.withReason(at("users.disablePrompt"), (reason) => disableUser(admin.api, user.id, reason), at("users.disabled", { name: user.username }))}>${at("users.disable")}</sl-button>`
        : nothing}
      ${user.status === "disabled" || user.status === "rejected"
        ? html`<sl-button size="small" @click=${() => this.run(() => enableUser(admin.api, user.id), at("users.enabled", { name: user.username }))}>${at("users.enable")}</sl-button>`
        : nothing}
      ${!me
        ? html`<sl-select size="small" aria-label=${at("users.role")} .value=${user.role} style="width: 8rem"
            @sl-change=${(event: Event) => this.run(() => setRole(admin.api, user.id, (event.target as HTMLSelectElement).value as Role), at("users.roleChanged", { name: user.username }))}>
            <sl-option value="user">${kt("role.user")}</sl-option><sl-option value="admin">${kt("role.admin")}</sl-option>
          </sl-select>`
        : nothing}
    </div>`
  }

  override render() {
    return html`<h1>${at("users.title")}</h1>
      <div class="toolbar" role="search">
        <sl-input type="search" clearable label=${at("common.search")} placeholder=${at("users.searchPlaceholder")} .value=${this.q}
          @sl-input=${(event: Event) => {
            this.q = (event.target as HTMLInputElement).value
            this.searchSoon()
          }}><sl-icon name="search" slot="prefix"></sl-icon></sl-input>
        <sl-select label=${at("user.status")} .value=${this.status} @sl-change=${(event: Event) => {
          this.status = (event.target as HTMLSelectElement).value
          void this.load()
        }}>
          <sl-option value="">${at("common.all")}</sl-option>
          ${(["pending", "approved", "rejected", "disabled"] as const).map((s) => html`<sl-option value=${s}>${kt(`userStatus.${s}`)}</sl-option>`)}
        </sl-select>
        <sl-select label=${at("users.role")} .value=${this.roleFilter} @sl-change=${(event: Event) => {
          this.roleFilter = (event.target as HTMLSelectElement).value
          void this.load()
        }}>
          <sl-option value="">${at("common.all")}</sl-option>
          <sl-option value="user">${kt("role.user")}</sl-option><sl-option value="admin">${kt("role.admin")}</sl-option>
        </sl-select>
      </div>
      ${this.error ? html`<nc-error .error=${this.error} retry @nc-retry=${this.load}></nc-error>` : nothing}
      ${this.users === undefined
        ? this.error ? nothing : html`<nc-loading></nc-loading>`
        : this.users.length === 0
          ? html`<nc-empty icon="people" heading=${at("users.none")}>${at("common.noMatchHint")}</nc-empty>`
          : html`<div class="table-wrap"><table class="data cards">
              <thead><tr><th>${at("user.name")}</th><th>${at("user.contact")}</th><th>${at("user.org")}</th><th>${at("user.status")}</th><th></th></tr></thead>
              <tbody>${this.users.map((user) => html`<tr data-user=${user.username}>
                <td data-label=${at("user.name")}><strong class="display-name">${user.displayName}</strong><div class="muted">${user.username} · ${kt(`role.${user.role}`)}</div></td>
                <td data-label=${at("user.contact")}>${user.email ?? "–"}<div class="muted">${user.phone ?? ""}</div></td>
                <td data-label=${at("user.org")} class="org-path">${orgUnitsData.pathLabel(orgUnitsData.pathTo(this.units, user.orgUnitId), getLocale()) || "–"}</td>
                <td data-label=${at("user.status")}><nc-status kind="userStatus" value=${user.status}></nc-status>
                  ${user.statusReason ? html`<div class="muted status-reason">${user.statusReason}</div>` : nothing}</td>
                <td>${this.actions(user)}</td>
              </tr>`)}</tbody>
            </table></div>
            ${this.nextCursor ? html`<div class="more"><sl-button @click=${this.loadMore}>${at("common.loadMore")}</sl-button></div>` : nothing}`}
      <nc-reason-dialog danger label=${at("common.reason")} confirmLabel=${kt("action.confirm")}></nc-reason-dialog>`
  }
}
