import { css, html, nothing } from "lit"
import { customElement, property, state } from "lit/decorators.js"
import type { UiError } from "../api/UiError.js"
import { kt } from "../kitMessages.js"
import { I18nElement } from "./I18nElement.js"
import "./nc-states.js"

export interface Credentials {
  readonly username: string
  readonly password: string
}

/**
 * Username and password. The parent does the signing in: `submit` is called with the credentials
 * and its failure (a UiError) is shown above the form.
 */
@customElement("nc-login-form")
export class NcLoginForm extends I18nElement {
  @property({ attribute: false }) accessor submit: ((credentials: Credentials) => Promise<void>) | undefined
  @state() accessor busy = false
  @state() accessor error: UiError | undefined

  static override styles = css`
    form {
      display: flex;
      flex-direction: column;
      gap: var(--sl-spacing-medium);
    }
  `

  private async onSubmit(event: SubmitEvent) {
    event.preventDefault()
    const form = event.target as HTMLFormElement
    const data = new FormData(form)
    this.busy = true
    this.error = undefined
    try {
      await this.submit?.({ username: String(data.get("username") ?? "").trim(), password: String(data.get("password") ?? "") })
    } catch (error) {
      this.error = error as UiError
    } finally {
      this.busy = false
    }
  }

  override render() {
    return html`<form @submit=${this.onSubmit} novalidate>
      ${this.error ? html`<nc-error .error=${this.error}></nc-error>` : nothing}
      <sl-input name="username" label=${kt("login.username")} autocomplete="username" required autofocus></sl-input>
      <sl-input name="password" type="password" label=${kt("login.password")} autocomplete="current-password" password-toggle required></sl-input>
      <sl-button type="submit" variant="primary" ?loading=${this.busy}>${this.busy ? kt("login.working") : kt("login.submit")}</sl-button>
    </form>`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "nc-login-form": NcLoginForm
  }
}
