import { css, html, type TemplateResult } from "lit"
import { customElement, state } from "lit/decorators.js"
import { LiveController, SessionController } from "../kit/AppContext.js"
import { I18nElement } from "../kit/components/I18nElement.js"
import type { NavLink } from "../kit/components/nc-app-shell.js"
import { toast } from "../kit/components/toast.js"
import { kt } from "../kit/kitMessages.js"
import { navigate, RouteController } from "../kit/router.js"
import { portal } from "./app.js"
import { pt } from "./messages.js"
import { notifications, startPortalState } from "./state.js"
import "../kit/components/nc-app-shell.js"
import "../kit/components/nc-password-form.js"
import "./pages/portal-login.js"
import "./pages/portal-register.js"
import "./pages/portal-pending.js"
import "./pages/portal-rejected.js"
import "./pages/portal-devices.js"
import "./pages/portal-device.js"
import "./pages/portal-leases.js"
import "./pages/portal-machines.js"
import "./pages/portal-profile.js"
import "./pages/portal-notifications.js"
import "./pages/portal-manual.js"

/**
 * The portal: decides what the visitor may see (sign-in, registration, the pending or rejected
 * view, the forced password change, or the approved user's pages) and routes between pages.
 */
@customElement("ncod-portal")
export class NcodPortal extends I18nElement {
  private readonly router = new RouteController(this)
  private readonly sessionController = new SessionController(this, portal)
  private readonly liveController = new LiveController(this, portal.live, (event) => {
    const me = portal.session?.user.id
    if (event._tag === "AccountStatusChanged" && event.userId === me) void this.reloadProfile()
  })
  @state() accessor unread = notifications.unread

  static override styles = css`
    :host {
      display: block;
    }
    .gate {
      max-width: 40rem;
    }
  `

  override connectedCallback() {
    super.connectedCallback()
    startPortalState()
    notifications.subscribe(() => (this.unread = notifications.unread))
    portal.api.onGate((error) => {
      if (error.code === "UNAUTHENTICATED") portal.api.auth.clear()
      else void this.reloadProfile()
    })
    if (portal.session) void this.reloadProfile()
  }

  private async reloadProfile() {
    const before = portal.session?.user.status
    try {
      const profile = await portal.profile()
      if (before !== undefined && before !== profile.user.status) portal.live.restart()
      if (before === "pending" && profile.user.status === "approved") {
        toast(pt("pending.approvedToast"), "success")
        navigate("/devices", { replace: true })
      }
    } catch {
      // the gate listener above signs out when the session is gone
    }
  }

  private async signOut() {
    await portal.signOut()
    navigate("/login")
  }

  private links(): ReadonlyArray<NavLink> {
    return [
      { path: "/devices", label: pt("nav.devices"), icon: "usb-symbol" },
      { path: "/leases", label: pt("nav.leases"), icon: "clock-history" },
      { path: "/notifications", label: pt("nav.notifications"), icon: "bell", badge: this.unread },
      { path: "/machines", label: pt("nav.machines"), icon: "laptop" },
      { path: "/profile", label: pt("nav.profile"), icon: "person-circle" },
      { path: "/manual", label: pt("nav.manual"), icon: "book" }
    ]
  }

  private shell(content: TemplateResult, links: ReadonlyArray<NavLink> = []) {
    const user = portal.session?.user
    return html`<nc-app-shell
      brand=${kt("app.name")}
      .links=${links}
      current=${this.router.route.path}
      userName=${user ? `${user.displayName} (${user.username})` : ""}
      live=${user ? this.liveController.status : ""}
      @nc-sign-out=${this.signOut}
      >${content}</nc-app-shell
    >`
  }

  private publicPage(path: string) {
    if (path === "/register") return html`<portal-register></portal-register>`
    if (path.startsWith("/manual")) return html`<portal-manual .section=${this.router.route.segments[1] ?? ""}></portal-manual>`
    return html`<portal-login></portal-login>`
  }

  private approvedPage(segments: ReadonlyArray<string>) {
    switch (segments[0]) {
      case "devices":
        return segments[1] ? html`<portal-device .deviceId=${segments[1]}></portal-device>` : html`<portal-devices></portal-devices>`
      case "leases":
        return html`<portal-leases></portal-leases>`
      case "machines":
        return html`<portal-machines></portal-machines>`
      case "profile":
        return html`<portal-profile></portal-profile>`
      case "notifications":
        return html`<portal-notifications></portal-notifications>`
      case "manual":
        return html`<portal-manual .section=${segments[1] ?? ""}></portal-manual>`
      default:
        return undefined
    }
  }

  override render() {
    const session = this.sessionController.session
    const route = this.router.route
    if (session === null) return this.shell(this.publicPage(route.path), route.path.startsWith("/manual") ? [] : [])
    const user = session.user
    if (user.mustChangePassword) {
      return this.shell(html`<section class="gate">
        <h1>${kt("password.forcedTitle")}</h1>
        <p>${kt("password.forcedIntro")}</p>
        <nc-password-form
          .personal=${[user.username, user.displayName, user.email]}
          .submit=${(input: { currentPassword: string; newPassword: string }) => portal.changePassword(input.currentPassword, input.newPassword)}
        ></nc-password-form>
      </section>`)
    }
    if (user.status === "pending") {
      if (route.segments[0] === "manual") return this.shell(html`<portal-manual .section=${route.segments[1] ?? ""}></portal-manual>`)
      if (route.path !== "/pending") queueMicrotask(() => navigate("/pending", { replace: true }))
      return this.shell(html`<portal-pending></portal-pending>`)
    }
    if (user.status === "rejected" || user.status === "disabled") {
      if (route.path !== "/rejected") queueMicrotask(() => navigate("/rejected", { replace: true }))
      return this.shell(html`<portal-rejected></portal-rejected>`)
    }
    const page = this.approvedPage(route.segments)
    if (page === undefined) {
      queueMicrotask(() => navigate("/devices", { replace: true }))
      return this.shell(html``, this.links())
    }
    return this.shell(page, this.links())
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "ncod-portal": NcodPortal
  }
}
