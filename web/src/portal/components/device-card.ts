import type { DeviceView, QueueEntry, Slave } from "@ncod/core"
import { css, html, nothing } from "lit"
import { customElement, property } from "lit/decorators.js"
import { holderLeaseId } from "../../data/inventory.js"
import { I18nElement } from "../../kit/components/I18nElement.js"
import { deviceName } from "../../kit/format.js"
import { kt } from "../../kit/kitMessages.js"
import { href } from "../../kit/router.js"
import { pt } from "../messages.js"
import "../../kit/components/nc-status.js"
import "../../kit/components/nc-time.js"

export type DeviceAction = "take" | "release" | "queue" | "leaveQueue" | "askRelease"

/**
 * One device in the browser: what it is, where, its state and who holds it, and the actions this
 * user has on it. Actions go up as `device-action` events; the page does them.
 */
@customElement("device-card")
export class DeviceCard extends I18nElement {
  @property({ attribute: false }) accessor view!: DeviceView
  @property({ attribute: false }) accessor slave: Slave | undefined
  @property({ attribute: false }) accessor queue: QueueEntry | undefined
  @property() accessor me = ""
  @property({ type: Boolean }) accessor busy = false

  static override styles = css`
    :host {
      display: block;
    }
    sl-card {
      width: 100%;
      height: 100%;
    }
    sl-card::part(base) {
      height: 100%;
    }
    .head {
      display: flex;
      gap: var(--sl-spacing-small);
      align-items: flex-start;
      justify-content: space-between;
    }
    h3 {
      margin: 0;
      font-size: var(--sl-font-size-medium);
      overflow-wrap: anywhere;
    }
    h3 a {
      color: inherit;
    }
    .sub {
      color: var(--sl-color-neutral-600);
      font-size: var(--sl-font-size-small);
      overflow-wrap: anywhere;
      margin: 2px 0 var(--sl-spacing-x-small);
    }
    .line {
      font-size: var(--sl-font-size-small);
      margin: 2px 0;
      overflow-wrap: anywhere;
    }
    .tags {
      display: flex;
      flex-wrap: wrap;
      gap: 4px;
      margin: var(--sl-spacing-x-small) 0;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: var(--sl-spacing-x-small);
      margin-top: var(--sl-spacing-small);
    }
    .advisory {
      color: var(--sl-color-warning-800);
      font-size: var(--sl-font-size-small);
    }
  `

  private act(action: DeviceAction) {
    this.dispatchEvent(new CustomEvent("device-action", { detail: { action, view: this.view }, bubbles: true, composed: true }))
  }

  private actions() {
    const { device, holder, slaveStatus } = this.view
    const mine = holder !== null && holder.userId === this.me
    const usable = device.state !== "removed" && device.state !== "offline" && slaveStatus === "online"
    if (mine) return html`<sl-button size="small" variant="warning" ?loading=${this.busy} @click=${() => this.act("release")}>${pt("device.release")}</sl-button>`
    if (holder === null && usable && device.state === "available")
      return html`<sl-button size="small" variant="primary" ?loading=${this.busy} @click=${() => this.act("take")}>${pt("device.take")}</sl-button>`
    if (holder !== null && usable) {
      return html`${this.queue
          ? html`<sl-button size="small" ?loading=${this.busy} @click=${() => this.act("leaveQueue")}>${pt("device.leaveQueue", { n: this.queue.position })}</sl-button>`
          : html`<sl-button size="small" ?loading=${this.busy} @click=${() => this.act("queue")}>${pt("device.queue")}</sl-button>`}
        ${holderLeaseId(holder) ? html`<sl-button size="small" @click=${() => this.act("askRelease")}>${pt("device.askRelease")}</sl-button>` : nothing}`
    }
    return nothing
  }

  override render() {
    const { device, holder, slaveName, slaveStatus } = this.view
    const name = deviceName(device)
    const product = [device.manufacturer, device.product].filter((part) => part).join(" ")
    return html`<sl-card>
      <div class="head">
        <h3><a href=${href(`/devices/${device.id}`)}>${name}</a></h3>
        <nc-status kind="deviceState" value=${device.state}></nc-status>
      </div>
      <div class="sub">${product || `${device.vendorId}:${device.productId}`}${device.serial ? html` · <span class="mono">${device.serial}</span>` : nothing}</div>
      <div class="line">
        <sl-icon name="hdd-network" aria-hidden="true"></sl-icon> ${pt("device.onSlave")} <span class="slave-name">${slaveName}</span>
        ${slaveStatus !== "online" ? html`<nc-status kind="slaveStatus" value=${slaveStatus}></nc-status>` : nothing}
      </div>
      ${holder
        ? html`<div class="line holder">
            <sl-icon name="person-circle" aria-hidden="true"></sl-icon>
            ${holder.userId === this.me ? pt("device.heldByYou") : pt("device.heldBy")}
            ${holder.userId === this.me ? nothing : html`<strong class="holder-name">${holder.displayName}</strong> (${holder.username})`}
            · <nc-time .at=${holder.since}></nc-time>
          </div>`
        : nothing}
      ${device.tags.length > 0 ? html`<div class="tags">${device.tags.map((tag) => html`<sl-tag size="small">${tag}</sl-tag>`)}</div>` : nothing}
      ${this.slave?.accessMode === "advisory"
        ? html`<div class="advisory" title=${kt("accessMode.advisoryHint")}><sl-icon name="exclamation-triangle" aria-hidden="true"></sl-icon> ${kt("accessMode.advisory")}</div>`
        : nothing}
      <div class="actions">${this.actions()}</div>
    </sl-card>`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "device-card": DeviceCard
  }
}
