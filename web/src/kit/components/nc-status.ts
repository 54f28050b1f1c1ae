import { css, html } from "lit"
import { customElement, property } from "lit/decorators.js"
import { kt, type KitKey } from "../kitMessages.js"
import { I18nElement } from "./I18nElement.js"

type Variant = "primary" | "success" | "neutral" | "warning" | "danger"

const variants: Record<string, Variant> = {
  "userStatus.pending": "warning",
  "userStatus.approved": "success",
  "userStatus.rejected": "danger",
  "userStatus.disabled": "neutral",
  "deviceState.available": "success",
  "deviceState.in_use": "primary",
  "deviceState.offline": "neutral",
  "deviceState.removed": "neutral",
  "slaveStatus.online": "success",
  "slaveStatus.offline": "danger",
  "slaveStatus.decommissioned": "neutral",
  "leaseState.pending": "warning",
  "leaseState.active": "success",
  "leaseState.suspended": "warning",
  "leaseState.ended": "neutral",
  "machineStatus.pending": "warning",
  "machineStatus.approved": "success",
  "machineStatus.revoked": "danger",
  "accessMode.enforced": "success",
  "accessMode.advisory": "warning"
}

/** A coloured, translated badge for a status value: `<nc-status kind="deviceState" value="in_use">`. */
@customElement("nc-status")
export class NcStatus extends I18nElement {
  @property() accessor kind: "userStatus" | "deviceState" | "slaveStatus" | "leaseState" | "machineStatus" | "accessMode" = "deviceState"
  @property() accessor value = ""
  static override styles = css`
    :host {
      display: inline-block;
    }
  `
  override render() {
    const key = `${this.kind}.${this.value}`
    const known = key in variants
    return html`<sl-badge variant=${variants[key] ?? "neutral"} pill>${known ? kt(key as KitKey) : this.value}</sl-badge>`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "nc-status": NcStatus
  }
}
