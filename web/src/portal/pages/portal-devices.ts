import type { DeviceState, DeviceView, LeaseView, LiveEvent, QueueEntry, SlaveId, SlaveSummary } from "@ncod/core"
import { css, html, nothing } from "lit"
import { customElement, query, state } from "lit/decorators.js"
import { type DeviceType, deviceTypes, fetchDevice, fetchDevices, fetchSlaves, replaceView, slaveOf } from "../../data/inventory.js"
import { fetchMyLeases, fetchMyQueue } from "../../data/leases.js"
import type { UiError } from "../../kit/api/UiError.js"
import { debounce, LiveController } from "../../kit/AppContext.js"
import { I18nElement } from "../../kit/components/I18nElement.js"
import type { NcReasonDialog } from "../../kit/components/nc-reason-dialog.js"
import { deviceName } from "../../kit/format.js"
import { kt } from "../../kit/kitMessages.js"
import { pageStyles } from "../../kit/styles.js"
import { portal } from "../app.js"
import type { DeviceAction } from "../components/device-card.js"
import type { TakeDialog } from "../components/take-dialog.js"
import { performDeviceAction } from "../deviceActions.js"
import { pt } from "../messages.js"
import { rememberDeviceName } from "../state.js"
import "../../kit/components/nc-reason-dialog.js"
import "../../kit/components/nc-states.js"
import "../components/device-card.js"
import "../components/take-dialog.js"

interface Filters {
  readonly q: string
  readonly slaveId: string
  readonly state: string
  readonly type: string
  readonly sort: "name" | "lastSeen" | "slave"
}

const pageSize = 48

/**
 * The device browser: search and filters (slave, state, type), cursor pages, and live updates —
 * a device that changes is fetched again (its holder comes with it), additions and removals reload
 * the list, a slave's status updates its devices in place.
 */
@customElement("portal-devices")
export class PortalDevices extends I18nElement {
  @state() accessor views: ReadonlyArray<DeviceView> = []
  @state() accessor nextCursor: string | null = null
  @state() accessor loading = true
  @state() accessor loadingMore = false
  @state() accessor error: UiError | undefined
  @state() accessor filters: Filters = { q: "", slaveId: "", state: "", type: "", sort: "name" }
  @state() accessor slaves: ReadonlyArray<SlaveSummary> = []
  @state() accessor types: ReadonlyArray<DeviceType> = []
  @state() accessor myLeases: ReadonlyArray<LeaseView> = []
  @state() accessor queue: ReadonlyArray<QueueEntry> = []
  @state() accessor busy: ReadonlySet<string> = new Set()
  @query("take-dialog") accessor takeDialog!: TakeDialog
  @query("nc-reason-dialog") accessor reasonDialog!: NcReasonDialog
  private generation = 0
  private readonly pendingDevices = new Set<string>()

  private readonly live = new LiveController(this, portal.live, (event) => this.onLive(event))
  private readonly reloadSoon = debounce(() => void this.reload(), 400)
  private readonly searchSoon = debounce(() => void this.reload(), 300)
  private readonly refreshDevicesSoon = debounce(() => void this.refreshPendingDevices(), 250)
  private readonly refreshMineSoon = debounce(() => void this.loadMine(), 300)

  static override styles = [
    pageStyles,
    css`
      .live {
        margin-inline-start: auto;
      }
    `
  ]

  override connectedCallback() {
    super.connectedCallback()
    void this.reload()
    void this.loadSlaves()
    void this.loadMine()
  }

  private query() {
    const f = this.filters
    const [vendorId, productId] = f.type ? f.type.split(":") : []
    return {
      ...(f.q.trim() ? { q: f.q.trim() } : {}),
      ...(f.slaveId ? { slaveId: f.slaveId as SlaveId } : {}),
      ...(f.state ? { state: f.state as DeviceState } : {}),
      ...(vendorId && productId ? { vendorId, productId } : {}),
      sort: f.sort,
      limit: pageSize
    }
  }

  private async reload() {
    const generation = ++this.generation
    this.error = undefined
    try {
      const page = await fetchDevices(portal.api, this.query())
      if (generation !== this.generation) return
      this.views = page.items
      this.nextCursor = page.nextCursor
      this.remember(page.items)
      if (!this.filters.type) this.types = mergeTypes(this.types, deviceTypes(page.items))
    } catch (error) {
      if (generation === this.generation) this.error = error as UiError
    } finally {
      if (generation === this.generation) this.loading = false
    }
  }

  private async loadMore() {
    if (this.nextCursor === null) return
    const generation = this.generation
    this.loadingMore = true
    try {
      const page = await fetchDevices(portal.api, { ...this.query(), cursor: this.nextCursor })
      if (generation !== this.generation) return
      this.views = [...this.views, ...page.items]
      this.nextCursor = page.nextCursor
      this.remember(page.items)
      if (!this.filters.type) this.types = mergeTypes(this.types, deviceTypes(page.items))
    } catch (error) {
      this.error = error as UiError
    } finally {
      this.loadingMore = false
    }
  }

  private remember(views: ReadonlyArray<DeviceView>) {
    for (const view of views) rememberDeviceName(view.device.id, deviceName(view.device))
  }

  private async loadSlaves() {
    try {
      this.slaves = await fetchSlaves(portal.api)
    } catch {
      // the filter lists fewer slaves; the list itself reports errors
    }
  }

  private async loadMine() {
    try {
      const [leases, queue] = await Promise.all([fetchMyLeases(portal.api), fetchMyQueue(portal.api)])
      this.myLeases = leases.filter((view) => view.lease.state !== "ended")
      this.queue = queue
    } catch {
      // actions on own leases then fail with their own message
    }
  }

  private async refreshPendingDevices() {
    const ids = [...this.pendingDevices]
    this.pendingDevices.clear()
    for (const id of ids) {
      try {
        const detail = await fetchDevice(portal.api, id as DeviceView["device"]["id"])
        this.views = replaceView(this.views, detail.view)
      } catch {
        // no longer visible to this user: drop it
        this.views = this.views.filter((view) => view.device.id !== id)
      }
    }
  }

  private onLive(event: LiveEvent) {
    switch (event._tag) {
      case "DeviceChanged":
        if (this.views.some((view) => view.device.id === event.device.id)) {
          this.pendingDevices.add(event.device.id)
          this.refreshDevicesSoon()
        }
        return
      case "DeviceAdded":
      case "DeviceRemoved":
        this.reloadSoon()
        return
      case "SlaveStatusChanged":
        this.views = this.views.map((view) =>
          view.device.slaveId === event.slaveId ? { ...view, slaveStatus: event.status } : view
        )
        void this.loadSlaves()
        return
      case "LeaseChanged":
      case "WaitlistOffered":
      case "ReleaseDeclined":
        this.refreshMineSoon()
        return
      case "Resync":
        this.reloadSoon()
        void this.loadSlaves()
        this.refreshMineSoon()
        return
      default:
        return
    }
  }

  private setFilter<K extends keyof Filters>(key: K, value: Filters[K]) {
    this.filters = { ...this.filters, [key]: value }
    this.loading = this.views.length === 0
    if (key === "q") this.searchSoon()
    else void this.reload()
  }

  private async onAction(event: CustomEvent<{ action: DeviceAction; view: DeviceView }>) {
    const { action, view } = event.detail
    const id = view.device.id
    this.busy = new Set([...this.busy, id])
    await performDeviceAction(action, view, { takeDialog: this.takeDialog, reasonDialog: this.reasonDialog, myLeases: this.myLeases })
    this.busy = new Set([...this.busy].filter((busy) => busy !== id))
    await this.loadMine()
    this.pendingDevices.add(id)
    await this.refreshPendingDevices()
  }

  private renderFilters() {
    const select = (key: keyof Filters, label: string, options: ReadonlyArray<[string, string]>, all: string) =>
      html`<sl-select label=${label} .value=${this.filters[key]} @sl-change=${(event: Event) => this.setFilter(key, (event.target as HTMLSelectElement).value as never)}>
        <sl-option value="">${all}</sl-option>
        ${options.map(([value, text]) => html`<sl-option value=${value}>${text}</sl-option>`)}
      </sl-select>`
    return html`<div class="toolbar" role="search">
      <sl-input
        type="search"
        label=${pt("devices.search")}
        placeholder=${pt("devices.searchPlaceholder")}
        clearable
        .value=${this.filters.q}
        @sl-input=${(event: Event) => this.setFilter("q", (event.target as HTMLInputElement).value)}
      >
        <sl-icon name="search" slot="prefix"></sl-icon>
      </sl-input>
      ${select("slaveId", pt("devices.slave"), this.slaves.map((s) => [s.slave.id, s.slave.name]), pt("devices.allSlaves"))}
      ${select("state", pt("devices.state"), (["available", "in_use", "offline", "removed"] as const).map((s) => [s, kt(`deviceState.${s}`)]), pt("devices.allStates"))}
      ${select("type", pt("devices.type"), this.types.map((t) => [t.key, t.label]), pt("devices.allTypes"))}
      <sl-select label=${pt("devices.sort")} .value=${this.filters.sort} @sl-change=${(event: Event) => this.setFilter("sort", (event.target as HTMLSelectElement).value as Filters["sort"])}>
        <sl-option value="name">${pt("devices.sortName")}</sl-option>
        <sl-option value="slave">${pt("devices.sortSlave")}</sl-option>
        <sl-option value="lastSeen">${pt("devices.sortLastSeen")}</sl-option>
      </sl-select>
    </div>`
  }

  private renderList() {
    if (this.loading) return html`<nc-loading></nc-loading>`
    if (this.error && this.views.length === 0) return html`<nc-error .error=${this.error} retry @nc-retry=${this.reload}></nc-error>`
    const filtered = Object.entries(this.filters).some(([key, value]) => key !== "sort" && value)
    if (this.views.length === 0)
      return filtered
        ? html`<nc-empty icon="search" heading=${pt("devices.noMatch")}>${pt("devices.noMatchHint")}</nc-empty>`
        : html`<nc-empty icon="usb-symbol" heading=${pt("devices.none")}>${pt("devices.noneHint")}</nc-empty>`
    const me = portal.session?.user.id ?? ""
    return html`${this.error ? html`<nc-error .error=${this.error}></nc-error>` : nothing}
      <p class="muted" aria-live="polite">${pt("devices.count", { n: this.views.length })}${this.nextCursor ? "+" : ""}</p>
      <div class="grid" @device-action=${this.onAction}>
        ${this.views.map(
          (view) => html`<device-card
            .view=${view}
            .slave=${slaveOf(this.slaves, view.device.slaveId)}
            .queue=${this.queue.find((entry) => entry.deviceId === view.device.id)}
            me=${me}
            ?busy=${this.busy.has(view.device.id)}
            data-device=${view.device.id}
          ></device-card>`
        )}
      </div>
      ${this.nextCursor
        ? html`<div class="more"><sl-button ?loading=${this.loadingMore} @click=${this.loadMore}>${kt("action.loadMore")}</sl-button></div>`
        : nothing}`
  }

  override render() {
    return html`<div class="row"><h1>${pt("devices.title")}</h1></div>
      <p class="muted">${pt("devices.intro")} <span class="live">${kt(`live.${this.live.status}`)}</span></p>
      ${this.renderFilters()} ${this.renderList()}
      <take-dialog></take-dialog>
      <nc-reason-dialog label=${pt("askRelease.title")} prompt=${pt("askRelease.prompt")} confirmLabel=${pt("askRelease.send")}></nc-reason-dialog>`
  }
}

const mergeTypes = (known: ReadonlyArray<DeviceType>, found: ReadonlyArray<DeviceType>) => {
  const all = new Map(known.map((type) => [type.key, type]))
  for (const type of found) all.set(type.key, type)
  return [...all.values()].sort((a, b) => a.label.localeCompare(b.label))
}
