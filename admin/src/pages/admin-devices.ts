import type { DeviceState, DeviceView, LiveEvent, SlaveId, SlaveSummary } from "@ncod/core"
import { css, html, nothing } from "lit"
import { customElement, query, state } from "lit/decorators.js"
import type SlDialog from "@shoelace-style/shoelace/dist/components/dialog/dialog.js"
import { debounce, deviceName, I18nElement, inventoryData, kt, LiveController, pageStyles, toast, type UiError } from "@ncod/web"
import { admin } from "../app.js"
import type { GrantsDialog } from "../components/grants-dialog.js"
import { parseTags, updateDevice } from "../data/fleet.js"
import { at } from "../messages.js"
import "../components/grants-dialog.js"

/** Every device: nickname and tags, who may use it (grants), live state and holder. */
@customElement("admin-devices")
export class AdminDevices extends I18nElement {
  @state() accessor views: ReadonlyArray<DeviceView> | undefined
  @state() accessor nextCursor: string | null = null
  @state() accessor slaves: ReadonlyArray<SlaveSummary> = []
  @state() accessor q = ""
  @state() accessor slaveId = ""
  @state() accessor deviceState = ""
  @state() accessor error: UiError | undefined
  @state() accessor editing: { readonly view: DeviceView; readonly nickname: string; readonly tags: string } | undefined
  @state() accessor editError: UiError | undefined
  @query("#edit-dialog") accessor editDialog!: SlDialog
  @query("grants-dialog") accessor grantsDialog!: GrantsDialog
  private readonly reloadSoon = debounce(() => void this.load(), 400)
  private readonly live = new LiveController(this, admin.live, (event: LiveEvent) => {
    if (["DeviceAdded", "DeviceChanged", "DeviceRemoved", "SlaveStatusChanged", "Resync"].includes(event._tag)) this.reloadSoon()
  })

  static override styles = [
    pageStyles,
    css`
      sl-tag {
        margin: 1px;
      }
    `
  ]

  override connectedCallback() {
    super.connectedCallback()
    void this.load()
    inventoryData.fetchSlaves(admin.api).then((slaves) => (this.slaves = slaves), () => undefined)
  }

  private query() {
    return {
      ...(this.q.trim() ? { q: this.q.trim() } : {}),
      ...(this.slaveId ? { slaveId: this.slaveId as SlaveId } : {}),
      ...(this.deviceState ? { state: this.deviceState as DeviceState } : {}),
      limit: 100
    }
  }

  private async load() {
    this.error = undefined
    try {
      const page = await inventoryData.fetchDevices(admin.api, this.query())
      this.views = page.items
      this.nextCursor = page.nextCursor
    } catch (error) {
      this.error = error as UiError
    }
  }

  private async loadMore() {
    if (!this.nextCursor) return
    const page = await inventoryData.fetchDevices(admin.api, { ...this.query(), cursor: this.nextCursor })
    this.views = [...(this.views ?? []), ...page.items]
    this.nextCursor = page.nextCursor
  }

  private async save() {
    const editing = this.editing
    if (!editing) return
    this.editError = undefined
    try {
      const nickname = editing.nickname.trim()
      await updateDevice(admin.api, editing.view.device.id, { nickname: nickname ? nickname : null, tags: parseTags(editing.tags) })
      await this.editDialog.hide()
      toast(at("devices.saved"), "success")
      await this.load()
    } catch (error) {
      this.editError = error as UiError
    }
  }

  override render() {
    return html`<h1>${at("devices.title")}</h1>
      <div class="toolbar" role="search">
        <sl-input type="search" clearable label=${at("common.search")} .value=${this.q}
          @sl-input=${(event: Event) => {
            this.q = (event.target as HTMLInputElement).value
            this.reloadSoon()
          }}><sl-icon name="search" slot="prefix"></sl-icon></sl-input>
        <sl-select label=${at("devices.slave")} .value=${this.slaveId} @sl-change=${(event: Event) => {
          this.slaveId = (event.target as HTMLSelectElement).value
          void this.load()
        }}>
          <sl-option value="">${at("common.all")}</sl-option>
          ${this.slaves.map((s) => html`<sl-option value=${s.slave.id}>${s.slave.name}</sl-option>`)}
        </sl-select>
        <sl-select label=${at("user.status")} .value=${this.deviceState} @sl-change=${(event: Event) => {
          this.deviceState = (event.target as HTMLSelectElement).value
          void this.load()
        }}>
          <sl-option value="">${at("common.all")}</sl-option>
          ${(["available", "in_use", "offline", "removed"] as const).map((s) => html`<sl-option value=${s}>${kt(`deviceState.${s}`)}</sl-option>`)}
        </sl-select>
      </div>
      ${this.error ? html`<nc-error .error=${this.error} retry @nc-retry=${this.load}></nc-error>` : nothing}
      ${this.views === undefined
        ? this.error ? nothing : html`<nc-loading></nc-loading>`
        : this.views.length === 0
          ? html`<nc-empty icon="usb-symbol" heading=${at("devices.none")}>${at("devices.noneHint")}</nc-empty>`
          : html`<div class="table-wrap"><table class="data cards">
              <thead><tr><th>${at("devices.device")}</th><th>${at("devices.slave")}</th><th>${at("user.status")}</th><th>${at("devices.tags")}</th><th></th></tr></thead>
              <tbody>${this.views.map((view) => {
                const { device } = view
                return html`<tr data-device=${device.id}>
                  <td data-label=${at("devices.device")}><strong class="device-name">${deviceName(device)}</strong>
                    <div class="muted">${[device.manufacturer, device.product].filter((p) => p).join(" ")} · ${device.vendorId}:${device.productId}${device.serial ? ` · ${device.serial}` : ""}</div></td>
                  <td data-label=${at("devices.slave")} class="slave-name">${view.slaveName}</td>
                  <td data-label=${at("user.status")}><nc-status kind="deviceState" value=${device.state}></nc-status>
                    ${view.holder ? html`<div class="muted holder-name">${view.holder.displayName} (${view.holder.username})</div>` : nothing}</td>
                  <td data-label=${at("devices.tags")}>${device.tags.map((tag) => html`<sl-tag size="small">${tag}</sl-tag>`)}</td>
                  <td><div class="row">
                    <sl-button size="small" @click=${() => {
                      this.editing = { view, nickname: device.nickname ?? "", tags: device.tags.join(", ") }
                      this.editError = undefined
                      void this.editDialog.show()
                    }}>${at("devices.edit")}</sl-button>
                    <sl-button size="small" @click=${() => this.grantsDialog.open({ _tag: "device", deviceId: device.id }, deviceName(device))}>${at("grants.button")}</sl-button>
                  </div></td>
                </tr>`
              })}</tbody>
            </table></div>
            ${this.nextCursor ? html`<div class="more"><sl-button @click=${this.loadMore}>${at("common.loadMore")}</sl-button></div>` : nothing}`}
      <sl-dialog id="edit-dialog" label=${at("devices.edit")}>
        ${this.editError ? html`<nc-error .error=${this.editError}></nc-error>` : nothing}
        ${this.editing
          ? html`<div class="stack">
              <sl-input name="nickname" label=${at("devices.nickname")} maxlength="120" .value=${this.editing.nickname}
                @sl-input=${(event: Event) => this.editing && (this.editing = { ...this.editing, nickname: (event.target as HTMLInputElement).value })}></sl-input>
              <sl-input name="tags" label=${at("devices.tags")} help-text=${at("devices.tagsHint")} .value=${this.editing.tags}
                @sl-input=${(event: Event) => this.editing && (this.editing = { ...this.editing, tags: (event.target as HTMLInputElement).value })}></sl-input>
            </div>`
          : nothing}
        <sl-button slot="footer" @click=${() => this.editDialog.hide()}>${kt("action.cancel")}</sl-button>
        <sl-button slot="footer" variant="primary" @click=${this.save}>${kt("action.save")}</sl-button>
      </sl-dialog>
      <grants-dialog></grants-dialog>`
  }
}
