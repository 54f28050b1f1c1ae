import { html } from "lit"
import { customElement, property } from "lit/decorators.js"
import { formatDateTime, formatRelative, type Instant } from "../format.js"
import { I18nElement } from "./I18nElement.js"

/** An instant as "3 minutes ago" with the full date and time on hover (and for screen readers). */
@customElement("nc-time")
export class NcTime extends I18nElement {
  @property({ attribute: false }) accessor at: Instant | null = null
  @property({ type: Boolean }) accessor absolute = false

  override render() {
    if (this.at === null) return html`–`
    const full = formatDateTime(this.at)
    return html`<time title=${full} aria-label=${full}>${this.absolute ? full : formatRelative(this.at)}</time>`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "nc-time": NcTime
  }
}
