import type { Profile } from "@ncod/core"
import { css, html, nothing } from "lit"
import { customElement, state } from "lit/decorators.js"
import { fetchProfile } from "../../data/me.js"
import type { UiError } from "../../kit/api/UiError.js"
import { I18nElement } from "../../kit/components/I18nElement.js"
import { href } from "../../kit/router.js"
import { pageStyles } from "../../kit/styles.js"
import { portal } from "../app.js"
import { pt } from "../messages.js"
import "../../kit/components/nc-states.js"
import "../components/profile-facts.js"
import "../components/profile-form.js"

/**
 * A registered user waiting for approval sees only their own profile and what happens next. The
 * page changes by itself when an administrator decides (a live event).
 */
@customElement("portal-pending")
export class PortalPending extends I18nElement {
  @state() accessor profile: Profile | undefined
  @state() accessor error: UiError | undefined
  @state() accessor editing = false

  static override styles = [
    pageStyles,
    css`
      ol.steps {
        padding-inline-start: 1.4rem;
        line-height: var(--sl-line-height-loose);
      }
      ol.steps li.done {
        color: var(--sl-color-success-700);
      }
    `
  ]

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
    return html`<h1>${pt("pending.title")}</h1>
      <sl-alert variant="warning" open>
        <sl-icon slot="icon" name="hourglass-split"></sl-icon>
        ${pt("pending.intro")}
      </sl-alert>
      <h2>${pt("pending.next")}</h2>
      <ol class="steps">
        <li class="done">${pt("pending.step1")}</li>
        <li>${pt("pending.step2")}</li>
        <li>${pt("pending.step3")}</li>
        <li>${pt("pending.step4")} <a href=${href("/manual/install-client")}>${pt("pending.manualLink")}</a></li>
      </ol>
      <h2>${pt("pending.profile")}</h2>
      ${this.error ? html`<nc-error .error=${this.error} retry @nc-retry=${this.load}></nc-error>` : nothing}
      ${this.profile
        ? html`<sl-card>
            <profile-facts .profile=${this.profile}></profile-facts>
            ${this.editing
              ? html`<sl-divider></sl-divider>
                  <profile-form .profile=${this.profile} @profile-saved=${(event: CustomEvent<Profile>) => (this.profile = event.detail)}></profile-form>`
              : html`<p><sl-button size="small" @click=${() => (this.editing = true)}>${pt("pending.edit")}</sl-button></p>`}
          </sl-card>`
        : this.error
          ? nothing
          : html`<nc-loading></nc-loading>`}`
  }
}
