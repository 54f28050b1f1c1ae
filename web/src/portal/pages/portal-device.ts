import type { DeviceEvent, DeviceId, DeviceView, LeaseView, LiveEvent, QueueEntry, SlaveSummary } from "@ncod/core"
import { html, nothing } from "lit"
import { customElement, property, query, state } from "lit/decorators.js"
import { fetchDevice, fetchSlaves, slaveOf } from "../../data/inventory.js"
import { connectCommand, fetchMyLeases, fetchMyQueue } from "../../data/leases.js"
import type { UiError } from "../../kit/api/UiError.js"
import { debounce, LiveController } from "../../kit/AppContext.js"
import { I18nElement } from "../../kit/components/I18nElement.js"
import type { NcReasonDialog } from "../../kit/components/nc-reason-dialog.js"
import { deviceName } from "../../kit/format.js"
import { kt } from "../../kit/kitMessages.js"
import { href } from "../../kit/router.js"
import { pageStyles } from "../../kit/styles.js"
import { portal } from "../app.js"
import type { DeviceAction } from "../components/device-card.js"
import type { TakeDialog } from "../components/take-dialog.js"
import { performDeviceAction } from "../deviceActions.js"
import { pt } from "../messages.js"
import "../../kit/components/nc-reason-dialog.js"
import "../../kit/components/nc-states.js"
import "../../kit/components/nc-status.js"
import "../../kit/components/nc-time.js"
import "../components/device-card.js"
import "../components/take-dialog.js"

/** One device: everything known about it, its recent history, and how to connect when it is yours. */
@customElement("portal-device")
export class PortalDevice extends I18nElement {
  @property() accessor deviceId = ""
  @state() accessor view: DeviceView | undefined
  @state() accessor events: ReadonlyArray<DeviceEvent> = []
  @state() accessor slaves: ReadonlyArray<SlaveSummary> = []
  @state() accessor myLeases: ReadonlyArray<LeaseView> = []
  @state() accessor queue: ReadonlyArray<QueueEntry> = []
  @state() accessor error: UiError | undefined
  @state() accessor busy = false
  @query("take-dialog") accessor takeDialog!: TakeDialog
  @query("nc-reason-dialog") accessor reasonDialog!: NcReasonDialog
  private readonly reloadSoon = debounce(() => void this.load(), 300)
  private readonly live = new LiveController(this, portal.live, (event: LiveEvent) => {
    const relevant =
      event._tag === "Resync" ||
      ((event._tag === "DeviceChanged" || event._tag === "DeviceAdded") && event.device.id === this.deviceId) ||
      (event._tag === "DeviceRemoved" && event.deviceId === this.deviceId) ||
      (event._tag === "SlaveStatusChanged" && event.slaveId === this.view?.device.slaveId) ||
      (event._tag === "LeaseChanged" && event.lease.deviceId === this.deviceId)
    if (relevant) this.reloadSoon()
  })

  static override styles = pageStyles

  override willUpdate(changed: Map<string, unknown>) {
    if (changed.has("deviceId")) void this.load()
  }

  private async load() {
    this.error = undefined
    try {
      const [detail, slaves, leases, queue] = await Promise.all([
        fetchDevice(portal.api, this.deviceId as DeviceId),
        fetchSlaves(portal.api),
        fetchMyLeases(portal.api),
        fetchMyQueue(portal.api)
      ])
      this.view = detail.view
      this.events = detail.events
      this.slaves = slaves
      this.myLeases = leases.filter((lease) => lease.lease.state !== "ended")
      this.queue = queue
    } catch (error) {
      this.error = error as UiError
    }
  }

  private async onAction(event: CustomEvent<{ action: DeviceAction; view: DeviceView }>) {
    this.busy = true
    await performDeviceAction(event.detail.action, event.detail.view, { takeDialog: this.takeDialog, reasonDialog: this.reasonDialog, myLeases: this.myLeases })
    this.busy = false
    await this.load()
  }

  override render() {
    if (this.error && !this.view) return html`<p><a href=${href("/devices")}>← ${pt("nav.devices")}</a></p><nc-error .error=${this.error} retry @nc-retry=${this.load}></nc-error>`
    const view = this.view
    if (!view) return html`<nc-loading></nc-loading>`
    const device = view.device
    const slave = slaveOf(this.slaves, device.slaveId)
    const me = portal.session?.user.id ?? ""
    const mine = view.holder?.userId === me
    const fact = (label: string, value: unknown) => html`<dt>${label}</dt><dd>${value ?? "–"}</dd>`
    return html`<p><a href=${href("/devices")}>← ${pt("nav.devices")}</a></p>
      <h1>${deviceName(device)}</h1>
      <div class="grid" @device-action=${this.onAction}>
        <device-card .view=${view} .slave=${slave} .queue=${this.queue.find((entry) => entry.deviceId === device.id)} me=${me} ?busy=${this.busy}></device-card>
        ${mine
          ? html`<sl-card>
              <h2>${pt("device.connectTitle")}</h2>
              <p>${pt("device.connectText")}</p>
              <nc-command command=${connectCommand(device)}></nc-command>
              <p class="muted"><a href=${href("/manual/connect-device")}>${pt("device.connectManual")}</a></p>
            </sl-card>`
          : nothing}
      </div>
      ${slave?.accessMode === "advisory" ? html`<sl-alert variant="warning" open style="margin-top: var(--sl-spacing-medium)">
            <sl-icon slot="icon" name="exclamation-triangle"></sl-icon>${kt("accessMode.advisoryHint")}</sl-alert>` : nothing}
      <h2>${pt("device.details")}</h2>
      <sl-card>
        <dl class="facts">
          ${fact(pt("device.nickname"), device.nickname)} ${fact(pt("device.product"), device.product)}
          ${fact(pt("device.manufacturer"), device.manufacturer)} ${fact(pt("device.usbIds"), `${device.vendorId}:${device.productId}`)}
          ${fact(pt("device.serial"), device.serial)} ${fact(pt("devices.slave"), view.slaveName)}
          ${fact(pt("device.address"), device.vhAddress)} ${fact(pt("device.port"), device.busPath)}
          ${fact(pt("device.speed"), device.speed ? `${device.speed} Mbit/s` : null)} ${fact(pt("device.class"), device.deviceClass)}
          ${fact(pt("device.tags"), device.tags.length ? device.tags.join(", ") : null)}
          ${fact(pt("device.id"), html`<span class="mono">${device.id}</span>`)}
          ${fact(pt("device.lastSeen"), html`<nc-time .at=${device.lastSeenAt}></nc-time>`)}
        </dl>
      </sl-card>
      <h2>${pt("device.history")}</h2>
      ${this.events.length === 0
        ? html`<nc-empty icon="clock-history" heading=${pt("device.noHistory")}></nc-empty>`
        : html`<div class="table-wrap"><table class="data cards">
            <thead><tr><th>${pt("device.when")}</th><th>${pt("device.what")}</th></tr></thead>
            <tbody>
              ${this.events.map((event) => html`<tr>
                <td data-label=${pt("device.when")}><nc-time .at=${event.at}></nc-time></td>
                <td data-label=${pt("device.what")}>${pt(`event.${event.kind}`)}</td>
              </tr>`)}
            </tbody>
          </table></div>`}
      <take-dialog></take-dialog>
      <nc-reason-dialog label=${pt("askRelease.title")} prompt=${pt("askRelease.prompt")} confirmLabel=${pt("askRelease.send")}></nc-reason-dialog>`
  }
}
