import { css, html } from "lit"
import { customElement, property } from "lit/decorators.js"
import { I18nElement } from "../../kit/components/I18nElement.js"
import { getLocale } from "../../kit/i18n/locale.js"
import { renderMarkdown } from "../../kit/markdown.js"
import { href } from "../../kit/router.js"
import { pageStyles } from "../../kit/styles.js"
import { manualPages } from "../../manual/manual.js"
import { pt } from "../messages.js"

/** The user manual, in the UI language, with its table of contents. Open without signing in. */
@customElement("portal-manual")
export class PortalManual extends I18nElement {
  @property() accessor section = ""

  static override styles = [
    pageStyles,
    css`
      .layout {
        display: grid;
        grid-template-columns: 14rem 1fr;
        gap: var(--sl-spacing-large);
        align-items: start;
      }
      nav ul {
        list-style: none;
        padding: 0;
        margin: 0;
      }
      nav a {
        display: block;
        padding: var(--sl-spacing-x-small) var(--sl-spacing-small);
        border-radius: var(--sl-border-radius-medium);
        color: var(--sl-color-neutral-800);
        text-decoration: none;
      }
      nav a[aria-current="page"] {
        background: var(--sl-color-primary-100);
        font-weight: var(--sl-font-weight-semibold);
      }
      article {
        background: var(--sl-color-neutral-0);
        border: 1px solid var(--sl-color-neutral-200);
        border-radius: var(--sl-border-radius-large);
        padding: var(--sl-spacing-medium) var(--sl-spacing-large);
        line-height: var(--sl-line-height-loose);
        min-width: 0;
      }
      pre {
        background: var(--sl-color-neutral-900);
        color: var(--sl-color-neutral-0);
        padding: var(--sl-spacing-small) var(--sl-spacing-medium);
        border-radius: var(--sl-border-radius-medium);
        overflow-x: auto;
      }
      code {
        font-family: var(--sl-font-mono);
        font-size: 0.9em;
      }
      blockquote {
        border-inline-start: 4px solid var(--sl-color-primary-300);
        margin: 0;
        padding-inline-start: var(--sl-spacing-medium);
      }
      @media (max-width: 800px) {
        .layout {
          grid-template-columns: 1fr;
        }
        article {
          padding: var(--sl-spacing-small) var(--sl-spacing-medium);
        }
      }
    `
  ]

  override render() {
    const pages = manualPages(getLocale())
    const page = pages.find((candidate) => candidate.slug === this.section) ?? pages[0]
    return html`<div class="layout">
      <nav aria-label=${pt("manual.contents")}>
        <h2>${pt("nav.manual")}</h2>
        <ul>
          ${pages.map((entry) => html`<li><a href=${href(`/manual/${entry.slug}`)} aria-current=${entry === page ? "page" : "false"}>${entry.title}</a></li>`)}
        </ul>
      </nav>
      <article>${page ? renderMarkdown(page.source, (slug) => href(`/manual/${slug}`)) : ""}</article>
    </div>`
  }
}
