import type { DeviceView } from "@ncod/core"
import { html, nothing } from "lit"
import { customElement, query, state } from "lit/decorators.js"
import type SlDialog from "@shoelace-style/shoelace/dist/components/dialog/dialog.js"
import type { UiError } from "../../kit/api/UiError.js"
import { I18nElement } from "../../kit/components/I18nElement.js"
import { deviceName, formatDuration } from "../../kit/format.js"
import { kt } from "../../kit/kitMessages.js"
import { pt } from "../messages.js"
import "../../kit/components/nc-states.js"

const choices = [30, 60, 120, 240, 480, 1440]

/** "Use this device for how long?" — then `take(minutes)`. */
@customElement("take-dialog")
export class TakeDialog extends I18nElement {
  @state() accessor view: DeviceView | undefined
  @state() accessor minutes = 120
  @state() accessor busy = false
  @state() accessor error: UiError | undefined
  @query("sl-dialog") accessor dialog!: SlDialog
  private take: ((minutes: number) => Promise<void>) | undefined

  open(view: DeviceView, take: (minutes: number) => Promise<void>) {
    this.view = view
    this.take = take
    this.error = undefined
    return this.dialog.show()
  }

  private async confirm() {
    this.busy = true
    this.error = undefined
    try {
      await this.take?.(this.minutes)
      await this.dialog.hide()
    } catch (error) {
      this.error = error as UiError
    } finally {
      this.busy = false
    }
  }

  override render() {
    return html`<sl-dialog label=${pt("take.title")}>
      ${this.view ? html`<p>${pt("take.intro", { device: deviceName(this.view.device) })}</p>` : nothing}
      ${this.error ? html`<nc-error .error=${this.error}></nc-error>` : nothing}
      <sl-select label=${pt("take.duration")} .value=${String(this.minutes)} @sl-change=${(event: Event) => (this.minutes = Number((event.target as HTMLSelectElement).value))}>
        ${choices.map((minutes) => html`<sl-option value=${String(minutes)}>${formatDuration(minutes * 60)}</sl-option>`)}
      </sl-select>
      <p class="muted">${pt("take.hint")}</p>
      <sl-button slot="footer" @click=${() => this.dialog.hide()}>${kt("action.cancel")}</sl-button>
      <sl-button slot="footer" variant="primary" ?loading=${this.busy} @click=${this.confirm}>${pt("take.confirm")}</sl-button>
    </sl-dialog>`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "take-dialog": TakeDialog
  }
}
