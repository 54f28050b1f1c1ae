import type { Profile } from "@ncod/core"
import { html } from "lit"
import { customElement, property } from "lit/decorators.js"
import { pathLabel } from "../../data/orgUnits.js"
import { I18nElement } from "../../kit/components/I18nElement.js"
import { getLocale } from "../../kit/i18n/locale.js"
import { kt } from "../../kit/kitMessages.js"
import { pageStyles } from "../../kit/styles.js"
import { pt } from "../messages.js"
import "../../kit/components/nc-status.js"
import "../../kit/components/nc-time.js"

/** The account at a glance: who, where in the organization, its state. */
@customElement("profile-facts")
export class ProfileFacts extends I18nElement {
  @property({ attribute: false }) accessor profile: Profile | undefined
  static override styles = pageStyles

  override render() {
    const profile = this.profile
    if (!profile) return html``
    const user = profile.user
    return html`<dl class="facts">
      <dt>${pt("field.username")}</dt>
      <dd>${user.username}</dd>
      <dt>${pt("field.displayName")}</dt>
      <dd class="display-name">${user.displayName}</dd>
      <dt>${pt("field.email")}</dt>
      <dd>${user.email ?? "–"}</dd>
      <dt>${pt("field.phone")}</dt>
      <dd>${user.phone ?? "–"}</dd>
      <dt>${pt("field.org")}</dt>
      <dd class="org-path">${profile.orgPath.length > 0 ? pathLabel(profile.orgPath, getLocale()) : "–"}</dd>
      <dt>${pt("field.status")}</dt>
      <dd><nc-status kind="userStatus" value=${user.status}></nc-status></dd>
      <dt>${pt("field.role")}</dt>
      <dd>${kt(`role.${user.role}`)}</dd>
      <dt>${pt("field.registered")}</dt>
      <dd><nc-time .at=${user.createdAt} absolute></nc-time></dd>
    </dl>`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "profile-facts": ProfileFacts
  }
}
