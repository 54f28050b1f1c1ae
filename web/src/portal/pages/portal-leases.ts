import type { LeaseView, LiveEvent, QueueEntry } from "@ncod/core"
import { css, html, nothing } from "lit"
import { customElement, state } from "lit/decorators.js"
import { fetchDevice } from "../../data/inventory.js"
import { connectCommand, declineRelease, fetchMyLeases, fetchMyQueue, leaveQueue, releaseLease, renewLease, sortLeases } from "../../data/leases.js"
import type { UiError } from "../../kit/api/UiError.js"
import { debounce, LiveController } from "../../kit/AppContext.js"
import { I18nElement } from "../../kit/components/I18nElement.js"
import { toast } from "../../kit/components/toast.js"
import { deviceName, formatDuration } from "../../kit/format.js"
import { kt } from "../../kit/kitMessages.js"
import { href } from "../../kit/router.js"
import { pageStyles } from "../../kit/styles.js"
import { portal } from "../app.js"
import { pt } from "../messages.js"
import "../../kit/components/nc-reason-dialog.js"
import "../../kit/components/nc-states.js"
import "../../kit/components/nc-status.js"
import "../../kit/components/nc-time.js"

/** My leases (open ones with their actions, then history) and my places in queues. */
@customElement("portal-leases")
export class PortalLeases extends I18nElement {
  @state() accessor leases: ReadonlyArray<LeaseView> | undefined
  @state() accessor queue: ReadonlyArray<QueueEntry> = []
  @state() accessor queueNames: Readonly<Record<string, string>> = {}
  @state() accessor error: UiError | undefined
  @state() accessor busy: string | undefined
  private readonly reloadSoon = debounce(() => void this.load(), 300)
  private readonly live = new LiveController(this, portal.live, (event: LiveEvent) => {
    if (["LeaseChanged", "WaitlistOffered", "ReleaseRequested", "ReleaseDeclined", "Resync"].includes(event._tag)) this.reloadSoon()
  })

  static override styles = [
    pageStyles,
    css`
      .lease h3 {
        margin: 0 0 var(--sl-spacing-x-small);
        font-size: var(--sl-font-size-medium);
      }
      .request {
        margin: var(--sl-spacing-small) 0;
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
      const [leases, queue] = await Promise.all([fetchMyLeases(portal.api), fetchMyQueue(portal.api)])
      this.leases = sortLeases(leases)
      this.queue = queue
      const names: Record<string, string> = { ...this.queueNames }
      for (const entry of queue) {
        if (names[entry.deviceId]) continue
        try {
          names[entry.deviceId] = deviceName((await fetchDevice(portal.api, entry.deviceId)).view.device)
        } catch {
          names[entry.deviceId] = entry.deviceId.slice(0, 8)
        }
      }
      this.queueNames = names
    } catch (error) {
      this.error = error as UiError
    }
  }

  private async act(key: string, task: () => Promise<unknown>, done: string) {
    this.busy = key
    try {
      await task()
      toast(done, "success")
      await this.load()
    } catch (error) {
      toast((error as UiError).message, "danger", 10_000)
    } finally {
      this.busy = undefined
    }
  }

  private renderLease(view: LeaseView) {
    const { lease, device } = view
    const open = lease.state !== "ended"
    const name = deviceName(device)
    return html`<sl-card class="lease" data-lease=${lease.id}>
      <h3><a href=${href(`/devices/${device.id}`)}>${name}</a></h3>
      <div class="row"><nc-status kind="leaseState" value=${lease.state}></nc-status> <span class="muted">${view.slaveName}</span></div>
      <dl class="facts">
        <dt>${pt("leases.started")}</dt><dd><nc-time .at=${lease.startedAt} absolute></nc-time></dd>
        ${open
          ? html`<dt>${pt("leases.expires")}</dt><dd><nc-time .at=${lease.expiresAt}></nc-time></dd>
              <dt>${pt("leases.waiting")}</dt><dd>${view.queueLength}</dd>`
          : html`<dt>${pt("leases.ended")}</dt><dd>${lease.endedAt ? html`<nc-time .at=${lease.endedAt} absolute></nc-time>` : "–"}
                ${lease.endReason ? html`(${kt(`endReason.${lease.endReason}`)})` : nothing}</dd>`}
      </dl>
      ${open && view.releaseRequest
        ? html`<sl-alert class="request" variant="primary" open>
            <sl-icon slot="icon" name="people"></sl-icon>
            ${pt("leases.requestFrom", { who: `${view.releaseRequest.displayName} (${view.releaseRequest.username})` })}
            ${view.releaseRequest.message ? html`<br /><q class="request-message">${view.releaseRequest.message}</q>` : nothing}
          </sl-alert>`
        : nothing}
      ${open ? html`<nc-command command=${connectCommand(device)}></nc-command>` : nothing}
      ${open
        ? html`<div class="row" style="margin-top: var(--sl-spacing-small)">
            <sl-button size="small" variant="warning" ?loading=${this.busy === `release-${lease.id}`}
              @click=${() => this.act(`release-${lease.id}`, () => releaseLease(portal.api, lease.id), pt("release.done", { device: name }))}>${pt("device.release")}</sl-button>
            <sl-button size="small" ?loading=${this.busy === `renew-${lease.id}`}
              @click=${() => this.act(`renew-${lease.id}`, () => renewLease(portal.api, lease.id, 120), pt("leases.renewed", { device: name, duration: formatDuration(7200) }))}>${pt("leases.renew")}</sl-button>
            ${view.releaseRequest
              ? html`<sl-button size="small" ?loading=${this.busy === `decline-${lease.id}`}
                  @click=${() => this.act(`decline-${lease.id}`, () => declineRelease(portal.api, lease.id), pt("leases.declined"))}>${pt("leases.decline")}</sl-button>`
              : nothing}
          </div>`
        : nothing}
    </sl-card>`
  }

  override render() {
    if (this.error && !this.leases) return html`<h1>${pt("leases.title")}</h1><nc-error .error=${this.error} retry @nc-retry=${this.load}></nc-error>`
    if (!this.leases) return html`<h1>${pt("leases.title")}</h1><nc-loading></nc-loading>`
    const open = this.leases.filter((view) => view.lease.state !== "ended")
    const ended = this.leases.filter((view) => view.lease.state === "ended").slice(0, 20)
    return html`<h1>${pt("leases.title")}</h1>
      <p class="muted">${pt("leases.intro")} <a href=${href("/manual/connect-device")}>${pt("device.connectManual")}</a></p>
      <h2>${pt("leases.open")}</h2>
      ${open.length === 0
        ? html`<nc-empty icon="clock-history" heading=${pt("leases.none")}><a href=${href("/devices")}>${pt("leases.noneHint")}</a></nc-empty>`
        : html`<div class="grid">${open.map((view) => this.renderLease(view))}</div>`}
      <h2>${pt("leases.queue")}</h2>
      ${this.queue.length === 0
        ? html`<p class="muted">${pt("leases.queueNone")}</p>`
        : html`<div class="table-wrap"><table class="data cards">
            <thead><tr><th>${pt("leases.device")}</th><th>${pt("leases.position")}</th><th>${pt("leases.queueState")}</th><th></th></tr></thead>
            <tbody>${this.queue.map((entry) => html`<tr>
              <td data-label=${pt("leases.device")}><a href=${href(`/devices/${entry.deviceId}`)}>${this.queueNames[entry.deviceId] ?? entry.deviceId}</a></td>
              <td data-label=${pt("leases.position")}>${entry.position}</td>
              <td data-label=${pt("leases.queueState")}>${entry.state === "offered" && entry.claimExpiresAt
                ? html`<strong>${pt("leases.offered")}</strong> <nc-time .at=${entry.claimExpiresAt}></nc-time>`
                : pt("leases.queued")}</td>
              <td><sl-button size="small" @click=${() => this.act(`leave-${entry.deviceId}`, () => leaveQueue(portal.api, entry.deviceId), pt("queue.left", { device: this.queueNames[entry.deviceId] ?? "" }))}>${pt("leases.leave")}</sl-button></td>
            </tr>`)}</tbody>
          </table></div>`}
      ${ended.length > 0
        ? html`<h2>${pt("leases.history")}</h2><div class="grid">${ended.map((view) => this.renderLease(view))}</div>`
        : nothing}`
  }
}
