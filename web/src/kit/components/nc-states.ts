import { css, html, nothing } from "lit"
import { customElement, property } from "lit/decorators.js"
import type { UiError } from "../api/UiError.js"
import { kt } from "../kitMessages.js"
import { I18nElement } from "./I18nElement.js"

/** A centred spinner with a label that screen readers announce. */
@customElement("nc-loading")
export class NcLoading extends I18nElement {
  @property() accessor label = ""
  static override styles = css`
    :host {
      display: flex;
      gap: var(--sl-spacing-small);
      align-items: center;
      justify-content: center;
      padding: var(--sl-spacing-x-large);
      color: var(--sl-color-neutral-600);
    }
  `
  override render() {
    return html`<sl-spinner aria-hidden="true"></sl-spinner><span role="status">${this.label || kt("state.loading")}</span>`
  }
}

/** An empty list: what it is and, in the slot, what the user can do about it. */
@customElement("nc-empty")
export class NcEmpty extends I18nElement {
  @property() accessor heading = ""
  @property() accessor icon = "info-circle"
  static override styles = css`
    :host {
      display: block;
      text-align: center;
      padding: var(--sl-spacing-x-large) var(--sl-spacing-medium);
      color: var(--sl-color-neutral-600);
      border: 1px dashed var(--sl-color-neutral-300);
      border-radius: var(--sl-border-radius-large);
      background: var(--sl-color-neutral-0);
    }
    sl-icon {
      font-size: 2rem;
    }
    p {
      margin: var(--sl-spacing-small) 0 0;
    }
  `
  override render() {
    return html`<sl-icon name=${this.icon} aria-hidden="true"></sl-icon>
      <p><strong>${this.heading || kt("state.empty")}</strong></p>
      <p><slot></slot></p>`
  }
}

/** A failure with the master's message (which says what to do next) and a retry button. */
@customElement("nc-error")
export class NcError extends I18nElement {
  @property({ attribute: false }) accessor error: UiError | undefined
  @property({ type: Boolean }) accessor retry = false
  static override styles = css`
    :host {
      display: block;
      margin-bottom: var(--sl-spacing-medium);
    }
    sl-button {
      margin-top: var(--sl-spacing-small);
    }
  `
  override render() {
    if (!this.error) return nothing
    return html`<sl-alert variant="danger" open>
      <sl-icon slot="icon" name="exclamation-triangle"></sl-icon>
      <strong>${kt("state.errorTitle")}</strong><br />
      <span class="message">${this.error.message}</span>
      ${this.retry
        ? html`<br /><sl-button size="small" @click=${() => this.dispatchEvent(new CustomEvent("nc-retry", { bubbles: true, composed: true }))}
              >${kt("action.retry")}</sl-button
            >`
        : nothing}
    </sl-alert>`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "nc-loading": NcLoading
    "nc-empty": NcEmpty
    "nc-error": NcError
  }
}
