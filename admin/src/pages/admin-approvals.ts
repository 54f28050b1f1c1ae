import type { LiveEvent, OrgUnit, User, UserId } from "@ncod/core"
import { css, html, nothing } from "lit"
import { customElement, query, state } from "lit/decorators.js"
import { debounce, getLocale, I18nElement, LiveController, type NcReasonDialog, orgUnitsData, pageStyles, toast, type UiError } from "@ncod/web"
import { admin } from "../app.js"
import { approveUser, approveUsers, fetchUsers, rejectUser } from "../data/users.js"
import { at } from "../messages.js"

/** New registrations waiting for a decision: approve or reject (with a reason), one by one or in bulk. */
@customElement("admin-approvals")
export class AdminApprovals extends I18nElement {
  @state() accessor users: ReadonlyArray<User> | undefined
  @state() accessor nextCursor: string | null = null
  @state() accessor units: ReadonlyArray<OrgUnit> = []
  @state() accessor selected: ReadonlySet<UserId> = new Set()
  @state() accessor error: UiError | undefined
  @state() accessor busy = false
  @query("nc-reason-dialog") accessor reasonDialog!: NcReasonDialog
  private readonly reloadSoon = debounce(() => void this.load(), 400)
  private readonly live = new LiveController(this, admin.live, (event: LiveEvent) => {
    if (event._tag === "AccountStatusChanged" || event._tag === "Resync") this.reloadSoon()
  })

  static override styles = [
    pageStyles,
    css`
      td.check {
        width: 2rem;
      }
    `
  ]

  override connectedCallback() {
    super.connectedCallback()
    void this.load()
    orgUnitsData.fetchOrgTree(admin.api).then((units) => (this.units = units), () => undefined)
  }

  private async load() {
    this.error = undefined
    try {
      const page = await fetchUsers(admin.api, { status: "pending", limit: 100 })
      this.users = page.items
      this.nextCursor = page.nextCursor
      this.selected = new Set([...this.selected].filter((id) => page.items.some((user) => user.id === id)))
    } catch (error) {
      this.error = error as UiError
    }
  }

  private async loadMore() {
    if (!this.nextCursor) return
    const page = await fetchUsers(admin.api, { status: "pending", limit: 100, cursor: this.nextCursor })
    this.users = [...(this.users ?? []), ...page.items]
    this.nextCursor = page.nextCursor
  }

  private async run(task: () => Promise<unknown>, done: string) {
    this.busy = true
    try {
      await task()
      toast(done, "success")
    } catch (error) {
      toast((error as UiError).message, "danger", 10_000)
    } finally {
      this.busy = false
      await this.load()
    }
  }

  private toggle(id: UserId, on: boolean) {
    const next = new Set(this.selected)
    if (on) next.add(id)
    else next.delete(id)
    this.selected = next
  }

  private reject(ids: ReadonlyArray<UserId>) {
    void this.reasonDialog.open(async (reason) => {
      for (const id of ids) await rejectUser(admin.api, id, reason)
      toast(at("approvals.rejected", { n: ids.length }), "success")
      this.selected = new Set()
      await this.load()
    })
  }

  override render() {
    const users = this.users
    const all = users !== undefined && users.length > 0 && users.every((user) => this.selected.has(user.id))
    const selected = [...this.selected]
    return html`<h1>${at("approvals.title")}</h1>
      <p class="muted">${at("approvals.intro")}</p>
      ${this.error ? html`<nc-error .error=${this.error} retry @nc-retry=${this.load}></nc-error>` : nothing}
      ${users === undefined
        ? this.error ? nothing : html`<nc-loading></nc-loading>`
        : users.length === 0
          ? html`<nc-empty icon="person-check" heading=${at("approvals.none")}>${at("approvals.noneHint")}</nc-empty>`
          : html`<div class="toolbar">
                <sl-button variant="success" ?disabled=${selected.length === 0} ?loading=${this.busy}
                  @click=${() => this.run(() => approveUsers(admin.api, selected), at("approvals.approved", { n: selected.length }))}>
                  ${at("approvals.approveSelected", { n: selected.length })}</sl-button>
                <sl-button variant="danger" outline ?disabled=${selected.length === 0} @click=${() => this.reject(selected)}>
                  ${at("approvals.rejectSelected", { n: selected.length })}</sl-button>
              </div>
              <div class="table-wrap"><table class="data cards">
                <thead><tr>
                  <th><sl-checkbox aria-label=${at("approvals.selectAll")} ?checked=${all}
                    @sl-change=${(event: Event) => (this.selected = (event.target as HTMLInputElement).checked ? new Set(users.map((user) => user.id)) : new Set())}></sl-checkbox></th>
                  <th>${at("user.name")}</th><th>${at("user.contact")}</th><th>${at("user.org")}</th><th>${at("user.registered")}</th><th></th>
                </tr></thead>
                <tbody>${users.map((user) => html`<tr data-user=${user.username}>
                  <td class="check"><sl-checkbox aria-label=${at("approvals.select", { name: user.username })} ?checked=${this.selected.has(user.id)}
                    @sl-change=${(event: Event) => this.toggle(user.id, (event.target as HTMLInputElement).checked)}></sl-checkbox></td>
                  <td data-label=${at("user.name")}><strong class="display-name">${user.displayName}</strong><div class="muted">${user.username}</div></td>
                  <td data-label=${at("user.contact")}>${user.email ?? "–"}<div class="muted">${user.phone ?? ""}</div></td>
                  <td data-label=${at("user.org")} class="org-path">${orgUnitsData.pathLabel(orgUnitsData.pathTo(this.units, user.orgUnitId), getLocale()) || "–"}</td>
                  <td data-label=${at("user.registered")}><nc-time .at=${user.createdAt}></nc-time></td>
                  <td><div class="row">
                    <sl-button size="small" variant="success" ?loading=${this.busy}
                      @click=${() => this.run(() => approveUser(admin.api, user.id), at("approvals.approvedOne", { name: user.username }))}>${at("approvals.approve")}</sl-button>
                    <sl-button size="small" variant="danger" outline @click=${() => this.reject([user.id])}>${at("approvals.reject")}</sl-button>
                  </div></td>
                </tr>`)}</tbody>
              </table></div>
              ${this.nextCursor ? html`<div class="more"><sl-button @click=${this.loadMore}>${at("common.loadMore")}</sl-button></div>` : nothing}`}
      <nc-reason-dialog danger label=${at("approvals.rejectTitle")} prompt=${at("approvals.rejectPrompt")} confirmLabel=${at("approvals.reject")}></nc-reason-dialog>`
  }
}
