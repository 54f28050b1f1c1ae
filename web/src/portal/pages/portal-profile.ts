import type { Profile } from "@ncod/core"
import { html, nothing } from "lit"
import { customElement, state } from "lit/decorators.js"
import { fetchProfile } from "../../data/me.js"
import type { UiError } from "../../kit/api/UiError.js"
import { I18nElement } from "../../kit/components/I18nElement.js"
import { kt } from "../../kit/kitMessages.js"
import { pageStyles } from "../../kit/styles.js"
import { portal } from "../app.js"
import { pt } from "../messages.js"
import "../../kit/components/nc-password-form.js"
import "../../kit/components/nc-states.js"
import "../components/profile-facts.js"
import "../components/profile-form.js"

/** The account: facts, the editable details, and the password. */
@customElement("portal-profile")
export class PortalProfile extends I18nElement {
  @state() accessor profile: Profile | undefined
  @state() accessor error: UiError | undefined
  static override styles = pageStyles

  override connectedCallback() {
    super.connectedCallback()
    void this.load()
  }

  private async load() {
    this.error = undefined
    try {
      this.profile = await fetchProfile(portal.api)
    } catch (error) {
      this.error = error as UiError
    }
  }

  override render() {
    const user = this.profile?.user
    return html`<h1>${pt("profile.title")}</h1>
      ${this.error ? html`<nc-error .error=${this.error} retry @nc-retry=${this.load}></nc-error>` : nothing}
      ${this.profile
        ? html`<div class="grid">
            <sl-card><h2>${pt("profile.account")}</h2><profile-facts .profile=${this.profile}></profile-facts></sl-card>
            <sl-card><h2>${pt("profile.edit")}</h2><profile-form .profile=${this.profile} @profile-saved=${(event: CustomEvent<Profile>) => (this.profile = event.detail)}></profile-form></sl-card>
          </div>
          <h2>${kt("password.title")}</h2>
          <sl-card>
            <p class="muted">${pt("profile.passwordHint")}</p>
            <nc-password-form
              .personal=${[user?.username, user?.displayName, user?.email]}
              .submit=${(input: { currentPassword: string; newPassword: string }) => portal.changePassword(input.currentPassword, input.newPassword)}
            ></nc-password-form>
          </sl-card>`
        : this.error ? nothing : html`<nc-loading></nc-loading>`}`
  }
}
