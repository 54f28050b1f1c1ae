import { css, html, nothing } from "lit"
import { customElement, property, query, state } from "lit/decorators.js"
import type SlDialog from "@shoelace-style/shoelace/dist/components/dialog/dialog.js"
import type { UiError } from "../api/UiError.js"
import { kt } from "../kitMessages.js"
import { I18nElement } from "./I18nElement.js"
import "./nc-states.js"

/**
 * Asks for a short text (a rejection reason, a note to a holder) and calls `submit` with it;
 * `open(...)` returns when the dialog closes. Optional text when `optional` is set.
 */
@customElement("nc-reason-dialog")
export class NcReasonDialog extends I18nElement {
  @property() accessor label = ""
  @property() accessor prompt = ""
  @property() accessor confirmLabel = ""
  @property({ type: Boolean }) accessor optional = false
  @property({ type: Boolean }) accessor danger = false
  @state() accessor text = ""
  @state() accessor busy = false
  @state() accessor error: UiError | undefined
  @state() accessor touched = false
  @query("sl-dialog") accessor dialog!: SlDialog
  private submitter: ((text: string) => Promise<void>) | undefined

  static override styles = css`
    .field-error {
      color: var(--sl-color-danger-700);
      font-size: var(--sl-font-size-small);
    }
    p {
      margin-top: 0;
    }
  `

  open(submit: (text: string) => Promise<void>) {
    this.submitter = submit
    this.text = ""
    this.error = undefined
    this.touched = false
    return this.dialog.show()
  }

  private async confirm() {
    this.touched = true
    if (!this.optional && this.text.trim().length === 0) return
    this.busy = true
    this.error = undefined
    try {
      await this.submitter?.(this.text.trim())
      await this.dialog.hide()
    } catch (error) {
      this.error = error as UiError
    } finally {
      this.busy = false
    }
  }

  override render() {
    const missing = this.touched && !this.optional && this.text.trim().length === 0
    return html`<sl-dialog label=${this.label}>
      ${this.prompt ? html`<p>${this.prompt}</p>` : nothing}
      ${this.error ? html`<nc-error .error=${this.error}></nc-error>` : nothing}
      <sl-textarea
        rows="3"
        maxlength="500"
        .value=${this.text}
        @sl-input=${(event: Event) => (this.text = (event.target as HTMLTextAreaElement).value)}
      >
        ${missing ? html`<div slot="help-text" class="field-error">${kt("field.required")}</div>` : nothing}
      </sl-textarea>
      <sl-button slot="footer" @click=${() => this.dialog.hide()}>${kt("action.cancel")}</sl-button>
      <sl-button slot="footer" variant=${this.danger ? "danger" : "primary"} ?loading=${this.busy} @click=${this.confirm}>
        ${this.confirmLabel || kt("action.confirm")}
      </sl-button>
    </sl-dialog>`
  }
}

/** A command to paste into a terminal, with a copy button. */
@customElement("nc-command")
export class NcCommand extends I18nElement {
  @property() accessor command = ""
  static override styles = css`
    :host {
      display: flex;
      align-items: center;
      gap: var(--sl-spacing-x-small);
      background: var(--sl-color-neutral-900);
      color: var(--sl-color-neutral-0);
      border-radius: var(--sl-border-radius-medium);
      padding: var(--sl-spacing-x-small) var(--sl-spacing-small);
    }
    code {
      flex: 1;
      font-family: var(--sl-font-mono);
      font-size: var(--sl-font-size-small);
      overflow-wrap: anywhere;
      white-space: pre-wrap;
    }
    sl-copy-button {
      color: var(--sl-color-neutral-0);
    }
  `
  override render() {
    return html`<code>${this.command}</code><sl-copy-button .value=${this.command} copy-label=${kt("action.copy")}></sl-copy-button>`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "nc-reason-dialog": NcReasonDialog
    "nc-command": NcCommand
  }
}
