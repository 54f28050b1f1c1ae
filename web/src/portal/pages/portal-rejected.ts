import { html } from "lit"
import { customElement } from "lit/decorators.js"
import { I18nElement } from "../../kit/components/I18nElement.js"
import { pageStyles } from "../../kit/styles.js"
import { portal } from "../app.js"
import { pt } from "../messages.js"

/** A rejected (or disabled) account: the administrator's reason and whom to ask. */
@customElement("portal-rejected")
export class PortalRejected extends I18nElement {
  static override styles = pageStyles

  override render() {
    const user = portal.session?.user
    const disabled = user?.status === "disabled"
    return html`<h1>${disabled ? pt("rejected.disabledTitle") : pt("rejected.title")}</h1>
      <sl-alert variant="danger" open>
        <sl-icon slot="icon" name="x-circle"></sl-icon>
        ${disabled ? pt("rejected.disabledIntro") : pt("rejected.intro")}
      </sl-alert>
      <h2>${pt("rejected.reason")}</h2>
      <sl-card><p class="reason">${user?.statusReason || pt("rejected.noReason")}</p></sl-card>
      <h2>${pt("rejected.next")}</h2>
      <p>${pt("rejected.nextText")}</p>`
  }
}
