import { css, html, nothing } from "lit"
import { customElement, property, state } from "lit/decorators.js"
import type { UiError } from "../api/UiError.js"
import { localizeFieldMessage, password as checkPassword } from "../forms/validation.js"
import { kt } from "../kitMessages.js"
import { I18nElement } from "./I18nElement.js"
import "./nc-password-strength.js"
import "./nc-states.js"

export interface PasswordChangeInput {
  readonly currentPassword: string
  readonly newPassword: string
}

/** Current, new and repeated password with the strength hint; field errors as the user types. */
@customElement("nc-password-form")
export class NcPasswordForm extends I18nElement {
  @property({ attribute: false }) accessor submit: ((input: PasswordChangeInput) => Promise<void>) | undefined
  @property({ attribute: false }) accessor personal: ReadonlyArray<string | null | undefined> = []
  @state() accessor values = { currentPassword: "", newPassword: "", confirm: "" }
  @state() accessor touched: ReadonlySet<string> = new Set()
  @state() accessor busy = false
  @state() accessor error: UiError | undefined
  @state() accessor done = false

  static override styles = css`
    form {
      display: flex;
      flex-direction: column;
      gap: var(--sl-spacing-medium);
      max-width: 34rem;
    }
    .field-error {
      color: var(--sl-color-danger-700);
      font-size: var(--sl-font-size-small);
    }
  `

  private errors() {
    const errors: Record<string, string | undefined> = {
      currentPassword: this.values.currentPassword.length === 0 ? kt("field.required") : undefined,
      newPassword:
        checkPassword(this.values.newPassword) ??
        (this.values.newPassword === this.values.currentPassword && this.values.newPassword.length > 0 ? kt("password.same") : undefined),
      confirm: this.values.confirm !== this.values.newPassword ? kt("password.mismatch") : undefined
    }
    for (const [field, message] of Object.entries(this.error?.fields ?? {})) errors[field] ??= localizeFieldMessage(message)
    return errors
  }

  private onInput(field: keyof NcPasswordForm["values"]) {
    return (event: Event) => {
      this.values = { ...this.values, [field]: (event.target as HTMLInputElement).value }
      this.touched = new Set([...this.touched, field])
      this.done = false
    }
  }

  private async onSubmit(event: SubmitEvent) {
    event.preventDefault()
    this.touched = new Set(["currentPassword", "newPassword", "confirm"])
    this.error = undefined
    if (Object.values(this.errors()).some((message) => message !== undefined)) return
    this.busy = true
    try {
      await this.submit?.({ currentPassword: this.values.currentPassword, newPassword: this.values.newPassword })
      this.values = { currentPassword: "", newPassword: "", confirm: "" }
      this.touched = new Set()
      this.done = true
    } catch (error) {
      this.error = error as UiError
    } finally {
      this.busy = false
    }
  }

  private fieldError(errors: Record<string, string | undefined>, field: string) {
    const message = this.touched.has(field) ? errors[field] : undefined
    return message ? html`<div class="field-error" slot="help-text" id=${`${field}-error`}>${message}</div>` : nothing
  }

  override render() {
    const errors = this.errors()
    return html`<form @submit=${this.onSubmit} novalidate>
      ${this.error && Object.keys(this.error.fields).length === 0 ? html`<nc-error .error=${this.error}></nc-error>` : nothing}
      ${this.done ? html`<sl-alert variant="success" open>${kt("password.changed")}</sl-alert>` : nothing}
      <sl-input name="currentPassword" type="password" label=${kt("password.current")} autocomplete="current-password" password-toggle
        .value=${this.values.currentPassword} @sl-input=${this.onInput("currentPassword")}>
        ${this.fieldError(errors, "currentPassword")}
      </sl-input>
      <sl-input name="newPassword" type="password" label=${kt("password.new")} autocomplete="new-password" password-toggle
        .value=${this.values.newPassword} @sl-input=${this.onInput("newPassword")}>
        ${this.fieldError(errors, "newPassword")}
      </sl-input>
      <nc-password-strength .password=${this.values.newPassword} .personal=${this.personal}></nc-password-strength>
      <sl-input name="confirm" type="password" label=${kt("password.confirm")} autocomplete="new-password" password-toggle
        .value=${this.values.confirm} @sl-input=${this.onInput("confirm")}>
        ${this.fieldError(errors, "confirm")}
      </sl-input>
      <sl-button type="submit" variant="primary" ?loading=${this.busy}>${kt("password.submit")}</sl-button>
    </form>`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "nc-password-form": NcPasswordForm
  }
}
