import { css, html, nothing } from "lit"
import { customElement, property, query } from "lit/decorators.js"
import type SlDrawer from "@shoelace-style/shoelace/dist/components/drawer/drawer.js"
import { kt } from "../kitMessages.js"
import type { LiveStatus } from "../live/LiveEvents.js"
import { href } from "../router.js"
import { I18nElement } from "./I18nElement.js"
import "./nc-lang-switch.js"

export interface NavLink {
  readonly path: string
  readonly label: string
  readonly icon: string
  readonly badge?: number
}

/**
 * The frame of both apps: a header (brand, live status, language, the user and sign-out), the
 * navigation (a sidebar on wide screens, a drawer on phones) and the page in `<main>`.
 */
@customElement("nc-app-shell")
export class NcAppShell extends I18nElement {
  @property() accessor brand = ""
  @property({ attribute: false }) accessor links: ReadonlyArray<NavLink> = []
  @property() accessor current = "/"
  @property() accessor userName = ""
  @property() accessor live: LiveStatus | "" = ""
  @query("sl-drawer") accessor drawer!: SlDrawer

  static override styles = css`
    :host {
      display: block;
      min-height: 100vh;
      background: var(--sl-color-neutral-50);
    }
    .skip {
      position: absolute;
      left: -999px;
    }
    .skip:focus {
      left: var(--sl-spacing-small);
      top: var(--sl-spacing-small);
      z-index: 10;
      background: var(--sl-color-neutral-0);
      padding: var(--sl-spacing-x-small) var(--sl-spacing-small);
    }
    header {
      position: sticky;
      top: 0;
      z-index: 5;
      display: flex;
      align-items: center;
      gap: var(--sl-spacing-small);
      padding: var(--sl-spacing-x-small) var(--sl-spacing-medium);
      background: var(--sl-color-primary-700);
      color: var(--sl-color-neutral-0);
      min-height: 3.25rem;
    }
    header .brand {
      font-weight: var(--sl-font-weight-semibold);
      font-size: var(--sl-font-size-medium);
      color: inherit;
      text-decoration: none;
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    header .spacer {
      flex: 1;
    }
    header sl-icon-button,
    header nc-lang-switch {
      color: var(--sl-color-neutral-0);
      --sl-color-neutral-600: var(--sl-color-neutral-0);
    }
    header sl-icon-button::part(base) {
      color: var(--sl-color-neutral-0);
    }
    .user {
      font-size: var(--sl-font-size-small);
      max-width: 12rem;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .dot {
      width: 0.6rem;
      height: 0.6rem;
      border-radius: 50%;
      background: var(--sl-color-neutral-400);
      flex: none;
    }
    .dot.live {
      background: var(--sl-color-success-400);
    }
    .dot.offline {
      background: var(--sl-color-warning-400);
    }
    .body {
      display: grid;
      grid-template-columns: 14rem 1fr;
    }
    nav.side {
      position: sticky;
      top: 3.25rem;
      align-self: start;
      padding: var(--sl-spacing-medium) var(--sl-spacing-small);
    }
    nav ul {
      list-style: none;
      margin: 0;
      padding: 0;
      display: flex;
      flex-direction: column;
      gap: 2px;
    }
    nav a {
      display: flex;
      align-items: center;
      gap: var(--sl-spacing-small);
      padding: var(--sl-spacing-x-small) var(--sl-spacing-small);
      border-radius: var(--sl-border-radius-medium);
      color: var(--sl-color-neutral-800);
      text-decoration: none;
    }
    nav a:hover {
      background: var(--sl-color-neutral-100);
    }
    nav a:focus-visible {
      outline: var(--sl-focus-ring);
    }
    nav a[aria-current="page"] {
      background: var(--sl-color-primary-100);
      color: var(--sl-color-primary-800);
      font-weight: var(--sl-font-weight-semibold);
    }
    nav sl-badge {
      margin-inline-start: auto;
    }
    main {
      padding: var(--sl-spacing-large);
      min-width: 0;
      max-width: 80rem;
    }
    .menu {
      display: none;
    }
    @media (max-width: 900px) {
      .body {
        grid-template-columns: 1fr;
      }
      nav.side {
        display: none;
      }
      .menu {
        display: inline-flex;
      }
      main {
        padding: var(--sl-spacing-medium);
      }
      .user {
        display: none;
      }
    }
  `

  private renderLinks(inDrawer: boolean) {
    return html`<ul>
      ${this.links.map((link) => {
        const active = this.current === link.path || this.current.startsWith(`${link.path}/`)
        return html`<li>
          <a href=${href(link.path)} aria-current=${active ? "page" : "false"} @click=${() => (inDrawer ? this.drawer?.hide() : undefined)}>
            <sl-icon name=${link.icon} aria-hidden="true"></sl-icon>
            <span>${link.label}</span>
            ${link.badge ? html`<sl-badge variant="danger" pill>${link.badge}</sl-badge>` : nothing}
          </a>
        </li>`
      })}
    </ul>`
  }

  override render() {
    const liveLabel = this.live ? kt(`live.${this.live}`) : ""
    return html`
      <a class="skip" href="#main">${kt("action.skipToContent")}</a>
      <header>
        ${this.links.length > 0
          ? html`<sl-icon-button class="menu" name="list" label=${kt("action.menu")} @click=${() => this.drawer.show()}></sl-icon-button>`
          : nothing}
        <a class="brand" href=${href("/")}>${this.brand}</a>
        <span class="spacer"></span>
        ${this.live ? html`<span class="dot ${this.live}" role="img" aria-label=${liveLabel} title=${liveLabel}></span>` : nothing}
        <nc-lang-switch></nc-lang-switch>
        ${this.userName
          ? html`<span class="user">${this.userName}</span>
              <sl-icon-button
                name="box-arrow-right"
                label=${kt("action.signOut")}
                @click=${() => this.dispatchEvent(new CustomEvent("nc-sign-out", { bubbles: true, composed: true }))}
              ></sl-icon-button>`
          : nothing}
      </header>
      <div class="body" style=${this.links.length > 0 ? "" : "grid-template-columns: 1fr"}>
        ${this.links.length > 0 ? html`<nav class="side" aria-label=${kt("action.menu")}>${this.renderLinks(false)}</nav>` : nothing}
        <main id="main" tabindex="-1"><slot></slot></main>
      </div>
      <sl-drawer label=${this.brand} placement="start">
        <nav aria-label=${kt("action.menu")}>${this.renderLinks(true)}</nav>
      </sl-drawer>
    `
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "nc-app-shell": NcAppShell
  }
}
