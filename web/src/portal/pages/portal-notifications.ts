import { css, html } from "lit"
import { customElement } from "lit/decorators.js"
import { I18nElement } from "../../kit/components/I18nElement.js"
import { href } from "../../kit/router.js"
import { pageStyles } from "../../kit/styles.js"
import { pt } from "../messages.js"
import { describeNotification } from "../notificationText.js"
import { notifications } from "../state.js"
import "../../kit/components/nc-states.js"
import "../../kit/components/nc-time.js"

/** What happened to my leases, queues, machines and account while I was (or was not) looking. */
@customElement("portal-notifications")
export class PortalNotifications extends I18nElement {
  private unsubscribe: (() => void) | undefined
  static override styles = [
    pageStyles,
    css`
      ul {
        list-style: none;
        padding: 0;
        margin: 0;
        display: flex;
        flex-direction: column;
        gap: var(--sl-spacing-x-small);
      }
      li {
        background: var(--sl-color-neutral-0);
        border: 1px solid var(--sl-color-neutral-200);
        border-inline-start: 4px solid var(--sl-color-neutral-300);
        border-radius: var(--sl-border-radius-medium);
        padding: var(--sl-spacing-small) var(--sl-spacing-medium);
      }
      li.unread {
        border-inline-start-color: var(--sl-color-primary-600);
      }
      li.warning { border-inline-start-color: var(--sl-color-warning-500); }
      li.danger { border-inline-start-color: var(--sl-color-danger-500); }
      li.success { border-inline-start-color: var(--sl-color-success-500); }
    `
  ]

  override connectedCallback() {
    super.connectedCallback()
    this.unsubscribe = notifications.subscribe(() => this.requestUpdate())
    // seen now; the badge clears after a moment so the user can see which ones are new
    setTimeout(() => notifications.markAllRead(), 1500)
  }

  override disconnectedCallback() {
    super.disconnectedCallback()
    this.unsubscribe?.()
  }

  override render() {
    const items = notifications.all
    return html`<div class="row"><h1>${pt("notifications.title")}</h1></div>
      <p class="muted">${pt("notifications.intro")}</p>
      ${items.length === 0
        ? html`<nc-empty icon="bell" heading=${pt("notifications.none")}>${pt("notifications.noneHint")}</nc-empty>`
        : html`<div class="toolbar"><sl-button size="small" @click=${() => notifications.clear()}>${pt("notifications.clear")}</sl-button></div>
            <ul>
              ${items.map((item) => {
                const text = describeNotification(item)
                return html`<li class="${item.read ? "" : "unread"} ${text.variant}">
                  <div>${text.message}</div>
                  <div class="muted"><nc-time .at=${item.at}></nc-time>
                    ${item.deviceId ? html` · <a href=${href(`/devices/${item.deviceId}`)}>${pt("notifications.open")}</a>` : ""}</div>
                </li>`
              })}
            </ul>`}`
  }
}
