import type { OrgUnit, OrgUnitId } from "@ncod/core"
import { css, html, nothing } from "lit"
import { customElement, state } from "lit/decorators.js"
import { fetchOrgTree } from "../../data/orgUnits.js"
import type { UiError } from "../../kit/api/UiError.js"
import { I18nElement } from "../../kit/components/I18nElement.js"
import * as checks from "../../kit/forms/validation.js"
import { kt } from "../../kit/kitMessages.js"
import { href, navigate } from "../../kit/router.js"
import { pageStyles } from "../../kit/styles.js"
import { portal } from "../app.js"
import { emptyChoice, type OrgChoice } from "../components/org-cascade.js"
import { pt } from "../messages.js"
import "../../kit/components/nc-password-strength.js"
import "../../kit/components/nc-states.js"
import "../components/org-cascade.js"

type Field = "username" | "displayName" | "email" | "phone" | "password" | "confirm" | "orgUnitId"

/**
 * Registration: the account's details and its project department, checked as the user types (the
 * same schemas the master uses) and again by the master, whose field errors land on their fields.
 * On success the user is signed in and sees the pending-approval view.
 */
@customElement("portal-register")
export class PortalRegister extends I18nElement {
  @state() accessor units: ReadonlyArray<OrgUnit> = []
  @state() accessor unitsError: UiError | undefined
  @state() accessor loadingUnits = true
  @state() accessor values: Record<Exclude<Field, "orgUnitId">, string> = { username: "", displayName: "", email: "", phone: "", password: "", confirm: "" }
  @state() accessor org: OrgChoice = emptyChoice
  @state() accessor touched: ReadonlySet<Field> = new Set()
  @state() accessor serverFields: Partial<Record<Field, string | undefined>> = {}
  @state() accessor formError: UiError | undefined
  @state() accessor busy = false

  static override styles = [
    pageStyles,
    css`
      sl-card {
        max-width: 44rem;
        margin: 0 auto;
      }
      form {
        display: flex;
        flex-direction: column;
        gap: var(--sl-spacing-medium);
      }
      .pair {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(min(100%, 16rem), 1fr));
        gap: var(--sl-spacing-medium);
      }
      .field-error {
        color: var(--sl-color-danger-700);
        font-size: var(--sl-font-size-small);
      }
      fieldset {
        border: 1px solid var(--sl-color-neutral-200);
        border-radius: var(--sl-border-radius-medium);
        padding: var(--sl-spacing-small) var(--sl-spacing-medium) var(--sl-spacing-medium);
        margin: 0;
      }
      legend {
        padding: 0 var(--sl-spacing-x-small);
        font-weight: var(--sl-font-weight-semibold);
      }
    `
  ]

  override connectedCallback() {
    super.connectedCallback()
    void this.loadUnits()
  }

  private async loadUnits() {
    this.loadingUnits = true
    this.unitsError = undefined
    try {
      this.units = await fetchOrgTree(portal.api)
    } catch (error) {
      this.unitsError = error as UiError
    } finally {
      this.loadingUnits = false
    }
  }

  private clientErrors(): Partial<Record<Field, string>> {
    const errors = checks.validate(this.values, {
      username: checks.username,
      displayName: checks.label(80),
      email: checks.email,
      phone: checks.phone,
      password: checks.password
    }) as Partial<Record<Field, string>>
    if (this.values.confirm !== this.values.password) errors.confirm = kt("password.mismatch")
    if (this.org.department === null) errors.orgUnitId = kt("field.orgUnit")
    return errors
  }

  private errorFor(field: Field, errors: Partial<Record<Field, string>>) {
    if (!this.touched.has(field)) return undefined
    return this.serverFields[field] ?? errors[field]
  }

  private input(field: Exclude<Field, "orgUnitId">) {
    return (event: Event) => {
      this.values = { ...this.values, [field]: (event.target as HTMLInputElement).value }
      this.touched = new Set([...this.touched, field])
      if (this.serverFields[field]) this.serverFields = { ...this.serverFields, [field]: undefined }
    }
  }

  private help(field: Field, errors: Partial<Record<Field, string>>, hint?: string) {
    const message = this.errorFor(field, errors)
    if (message) return html`<div slot="help-text" class="field-error">${message}</div>`
    return hint ? html`<div slot="help-text">${hint}</div>` : nothing
  }

  private async submit(event: SubmitEvent) {
    event.preventDefault()
    this.touched = new Set(["username", "displayName", "email", "phone", "password", "confirm", "orgUnitId"])
    this.formError = undefined
    const errors = this.clientErrors()
    if (Object.values(errors).some((message) => message)) {
      ;(this.renderRoot.querySelector("[data-invalid], sl-input") as HTMLElement | null)?.focus()
      return
    }
    this.busy = true
    try {
      await portal.api.callAnonymous((client) =>
        client.auth.register({
          payload: {
            username: this.values.username.trim(),
            displayName: this.values.displayName.trim(),
            email: this.values.email.trim(),
            phone: this.values.phone.trim() ? this.values.phone.trim() : null,
            password: this.values.password,
            orgUnitId: this.org.department as OrgUnitId
          }
        })
      )
      await portal.signIn(this.values.username.trim(), this.values.password)
      navigate("/pending", { replace: true })
    } catch (error) {
      const ui = error as UiError
      if (ui.code === "USERNAME_TAKEN") this.serverFields = { username: ui.message }
      else if (Object.keys(ui.fields).length > 0) {
        const fields: Partial<Record<Field, string | undefined>> = {}
        for (const [path, message] of Object.entries(ui.fields)) fields[path.split(".")[0] as Field] = checks.localizeFieldMessage(message)
        this.serverFields = fields
      } else this.formError = ui
    } finally {
      this.busy = false
    }
  }

  override render() {
    const errors = this.clientErrors()
    const v = this.values
    return html`<sl-card>
      <h1>${pt("register.title")}</h1>
      <p class="muted">${pt("register.intro")}</p>
      <form @submit=${this.submit} novalidate>
        ${this.formError ? html`<nc-error .error=${this.formError}></nc-error>` : nothing}
        <fieldset>
          <legend>${pt("register.account")}</legend>
          <div class="stack">
            <sl-input name="username" label=${pt("field.username")} autocomplete="username" required .value=${v.username}
              @sl-input=${this.input("username")} ?data-invalid=${!!this.errorFor("username", errors)}>
              ${this.help("username", errors, pt("register.usernameHint"))}
            </sl-input>
            <sl-input name="password" type="password" label=${pt("field.password")} autocomplete="new-password" password-toggle required
              .value=${v.password} @sl-input=${this.input("password")}>
              ${this.help("password", errors)}
            </sl-input>
            <nc-password-strength .password=${v.password} .personal=${[v.username, v.displayName, v.email]}></nc-password-strength>
            <sl-input name="confirm" type="password" label=${kt("password.confirm")} autocomplete="new-password" password-toggle required
              .value=${v.confirm} @sl-input=${this.input("confirm")}>
              ${this.help("confirm", errors)}
            </sl-input>
          </div>
        </fieldset>
        <fieldset>
          <legend>${pt("register.person")}</legend>
          <div class="stack">
            <sl-input name="displayName" label=${pt("field.displayName")} autocomplete="name" required maxlength="80" .value=${v.displayName}
              @sl-input=${this.input("displayName")}>
              ${this.help("displayName", errors)}
            </sl-input>
            <div class="pair">
              <sl-input name="email" type="email" label=${pt("field.email")} autocomplete="email" required .value=${v.email} @sl-input=${this.input("email")}>
                ${this.help("email", errors)}
              </sl-input>
              <sl-input name="phone" type="tel" label=${pt("field.phoneOptional")} autocomplete="tel" .value=${v.phone} @sl-input=${this.input("phone")}>
                ${this.help("phone", errors)}
              </sl-input>
            </div>
          </div>
        </fieldset>
        <fieldset>
          <legend>${pt("register.org")}</legend>
          ${this.loadingUnits
            ? html`<nc-loading></nc-loading>`
            : this.unitsError
              ? html`<nc-error .error=${this.unitsError} retry @nc-retry=${this.loadUnits}></nc-error>`
              : this.units.length === 0
                ? html`<nc-empty heading=${pt("register.noUnits")}>${pt("register.noUnitsHint")}</nc-empty>`
                : html`<org-cascade
                    .units=${this.units}
                    .value=${this.org}
                    error=${this.errorFor("orgUnitId", errors) ?? ""}
                    @org-change=${(event: CustomEvent<OrgChoice>) => {
                      this.org = event.detail
                      if (event.detail.department !== null) this.touched = new Set([...this.touched, "orgUnitId"])
                      this.serverFields = { ...this.serverFields, orgUnitId: undefined }
                    }}
                  ></org-cascade>`}
        </fieldset>
        <p class="muted">${pt("register.afterwards")}</p>
        <sl-button type="submit" variant="primary" ?loading=${this.busy}>${pt("register.submit")}</sl-button>
        <p>${pt("register.haveAccount")} <a href=${href("/login")}>${pt("register.signIn")}</a></p>
      </form>
    </sl-card>`
  }
}
