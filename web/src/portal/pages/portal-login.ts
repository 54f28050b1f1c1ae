import { css, html } from "lit"
import { customElement } from "lit/decorators.js"
import { I18nElement } from "../../kit/components/I18nElement.js"
import type { Credentials } from "../../kit/components/nc-login-form.js"
import { href, navigate } from "../../kit/router.js"
import { pageStyles } from "../../kit/styles.js"
import { portal } from "../app.js"
import { pt } from "../messages.js"
import "../../kit/components/nc-login-form.js"

/** Sign-in for users; where they go next depends on their account's state. */
@customElement("portal-login")
export class PortalLogin extends I18nElement {
  static override styles = [
    pageStyles,
    css`
      .card {
        max-width: 26rem;
        margin: var(--sl-spacing-2x-large) auto;
      }
    `
  ]

  private async signIn(credentials: Credentials) {
    await portal.signIn(credentials.username, credentials.password)
    navigate("/", { replace: true })
  }

  override render() {
    return html`<sl-card class="card">
      <h1>${pt("login.title")}</h1>
      <p class="muted">${pt("login.intro")}</p>
      <nc-login-form .submit=${(credentials: Credentials) => this.signIn(credentials)}></nc-login-form>
      <sl-divider></sl-divider>
      <p>${pt("login.noAccount")} <a href=${href("/register")}>${pt("login.register")}</a></p>
      <p class="muted"><a href=${href("/manual")}>${pt("login.manual")}</a></p>
    </sl-card>`
  }
}
