import type { Profile } from "@ncod/core"
import { css, html, nothing } from "lit"
import { customElement, property, state } from "lit/decorators.js"
import { updateProfile } from "../../data/me.js"
import type { UiError } from "../../kit/api/UiError.js"
import { I18nElement } from "../../kit/components/I18nElement.js"
import * as checks from "../../kit/forms/validation.js"
import { pt } from "../messages.js"
import { portal } from "../app.js"
import "../../kit/components/nc-states.js"

type Field = "displayName" | "email" | "phone"

/** The user's own name, email and phone (role, status and org unit are not theirs to change). */
@customElement("profile-form")
export class ProfileForm extends I18nElement {
  @property({ attribute: false }) accessor profile: Profile | undefined
  @state() accessor values: Record<Field, string> | undefined
  @state() accessor touched: ReadonlySet<Field> = new Set()
  @state() accessor error: UiError | undefined
  @state() accessor busy = false
  @state() accessor saved = false

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

  private current(): Record<Field, string> {
    const user = this.profile?.user
    return this.values ?? { displayName: user?.displayName ?? "", email: user?.email ?? "", phone: user?.phone ?? "" }
  }

  private errors() {
    const values = this.current()
    const errors: Partial<Record<Field, string>> = checks.validate(values, { displayName: checks.label(80), email: checks.email, phone: checks.phone })
    for (const [path, message] of Object.entries(this.error?.fields ?? {})) errors[path as Field] ??= checks.localizeFieldMessage(message)
    return errors
  }

  private input(field: Field) {
    return (event: Event) => {
      this.values = { ...this.current(), [field]: (event.target as HTMLInputElement).value }
      this.touched = new Set([...this.touched, field])
      this.saved = false
    }
  }

  private help(field: Field, errors: Partial<Record<Field, string>>) {
    const message = this.touched.has(field) ? errors[field] : undefined
    return message ? html`<div slot="help-text" class="field-error">${message}</div>` : nothing
  }

  private async submit(event: SubmitEvent) {
    event.preventDefault()
    this.touched = new Set(["displayName", "email", "phone"])
    this.error = undefined
    if (Object.values(this.errors()).some((message) => message)) return
    const values = this.current()
    this.busy = true
    try {
      const profile = await updateProfile(portal.api, {
        displayName: values.displayName.trim(),
        email: values.email.trim(),
        phone: values.phone.trim() ? values.phone.trim() : null
      })
      portal.api.auth.replaceUser(profile.user)
      this.profile = profile
      this.values = undefined
      this.touched = new Set()
      this.saved = true
      this.dispatchEvent(new CustomEvent("profile-saved", { detail: profile, bubbles: true, composed: true }))
    } catch (error) {
      this.error = error as UiError
    } finally {
      this.busy = false
    }
  }

  override render() {
    const values = this.current()
    const errors = this.errors()
    return html`<form @submit=${this.submit} novalidate>
      ${this.error && Object.keys(this.error.fields).length === 0 ? html`<nc-error .error=${this.error}></nc-error>` : nothing}
      ${this.saved ? html`<sl-alert variant="success" open>${pt("profile.saved")}</sl-alert>` : nothing}
      <sl-input name="displayName" label=${pt("field.displayName")} maxlength="80" .value=${values.displayName} @sl-input=${this.input("displayName")}>
        ${this.help("displayName", errors)}
      </sl-input>
      <sl-input name="email" type="email" label=${pt("field.email")} .value=${values.email} @sl-input=${this.input("email")}>
        ${this.help("email", errors)}
      </sl-input>
      <sl-input name="phone" type="tel" label=${pt("field.phoneOptional")} .value=${values.phone} @sl-input=${this.input("phone")}>
        ${this.help("phone", errors)}
      </sl-input>
      <sl-button type="submit" variant="primary" ?loading=${this.busy}>${pt("profile.save")}</sl-button>
    </form>`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "profile-form": ProfileForm
  }
}
