import { css, html, type TemplateResult } from "lit"
import { customElement } from "lit/decorators.js"
import { type Credentials, I18nElement, kt, LiveController, type NavLink, navigate, RouteController, SessionController } from "@ncod/web"
import { admin } from "./app.js"
import { at } from "./messages.js"
import "./pages/admin-approvals.js"
import "./pages/admin-users.js"
import "./pages/admin-machines.js"
import "./pages/admin-org.js"
import "./pages/admin-slaves.js"
import "./pages/admin-devices.js"
import "./pages/admin-leases.js"
import "./pages/admin-audit.js"
import "./pages/admin-health.js"

/**
 * The admin app: admins only (the `admin` audience refuses everyone else), a forced password
 * change first when the account has a one-time password, then the pages. No VirtualHere here.
 */
@customElement("ncod-admin")
export class NcodAdmin extends I18nElement {
  private readonly router = new RouteController(this)
  private readonly sessionController = new SessionController(this, admin)
  private readonly liveController = new LiveController(this, admin.live)

  static override styles = css`
    .card {
      max-width: 26rem;
      margin: var(--sl-spacing-2x-large) auto;
    }
    .gate {
      max-width: 40rem;
    }
    h1 {
      font-size: var(--sl-font-size-x-large);
    }
  `

  override connectedCallback() {
    super.connectedCallback()
    admin.api.onGate((error) => {
      if (error.code === "UNAUTHENTICATED") admin.api.auth.clear()
      else void admin.profile().catch(() => undefined)
    })
    if (admin.session) void admin.profile().catch(() => undefined)
  }

  private links(): ReadonlyArray<NavLink> {
    return [
      { path: "/approvals", label: at("nav.approvals"), icon: "person-check" },
      { path: "/users", label: at("nav.users"), icon: "people" },
      { path: "/machines", label: at("nav.machines"), icon: "laptop" },
      { path: "/org", label: at("nav.org"), icon: "diagram-3" },
      { path: "/slaves", label: at("nav.slaves"), icon: "hdd-network" },
      { path: "/devices", label: at("nav.devices"), icon: "usb-symbol" },
      { path: "/leases", label: at("nav.leases"), icon: "clock-history" },
      { path: "/audit", label: at("nav.audit"), icon: "journal-text" },
      { path: "/health", label: at("nav.health"), icon: "heart-pulse" }
    ]
  }

  private shell(content: TemplateResult, links: ReadonlyArray<NavLink> = []) {
    const user = admin.session?.user
    return html`<nc-app-shell
      brand=${at("app.name")}
      .links=${links}
      current=${this.router.route.path}
      userName=${user ? `${user.displayName} (${user.username})` : ""}
      live=${user ? this.liveController.status : ""}
      @nc-sign-out=${async () => {
        await admin.signOut()
        navigate("/")
      }}
      >${content}</nc-app-shell
    >`
  }

  private async signIn(credentials: Credentials) {
    await admin.signIn(credentials.username, credentials.password)
    navigate("/approvals", { replace: true })
  }

  private page(segment: string | undefined) {
    switch (segment) {
      case "approvals":
        return html`<admin-approvals></admin-approvals>`
      case "users":
        return html`<admin-users></admin-users>`
      case "machines":
        return html`<admin-machines></admin-machines>`
      case "org":
        return html`<admin-org></admin-org>`
      case "slaves":
        return html`<admin-slaves></admin-slaves>`
      case "devices":
        return html`<admin-devices></admin-devices>`
      case "leases":
        return html`<admin-leases></admin-leases>`
      case "audit":
        return html`<admin-audit></admin-audit>`
      case "health":
        return html`<admin-health></admin-health>`
      default:
        return undefined
    }
  }

  override render() {
    const session = this.sessionController.session
    if (session === null) {
      return this.shell(html`<sl-card class="card">
        <h1>${at("login.title")}</h1>
        <p>${at("login.intro")}</p>
        <nc-login-form .submit=${(credentials: Credentials) => this.signIn(credentials)}></nc-login-form>
      </sl-card>`)
    }
    const user = session.user
    if (user.mustChangePassword) {
      return this.shell(html`<section class="gate">
        <h1>${kt("password.forcedTitle")}</h1>
        <p>${kt("password.forcedIntro")}</p>
        <nc-password-form
          .personal=${[user.username, user.displayName, user.email]}
          .submit=${(input: { currentPassword: string; newPassword: string }) => admin.changePassword(input.currentPassword, input.newPassword)}
        ></nc-password-form>
      </section>`)
    }
    const page = this.page(this.router.route.segments[0])
    if (page === undefined) {
      queueMicrotask(() => navigate("/approvals", { replace: true }))
      return this.shell(html``, this.links())
    }
    return this.shell(page, this.links())
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "ncod-admin": NcodAdmin
  }
}
