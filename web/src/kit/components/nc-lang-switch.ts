import { css, html } from "lit"
import { customElement } from "lit/decorators.js"
import { getLocale, setLocale } from "../i18n/locale.js"
import { kt } from "../kitMessages.js"
import { I18nElement } from "./I18nElement.js"

/** One button that switches between Chinese and English, labelled in the language it switches to. */
@customElement("nc-lang-switch")
export class NcLangSwitch extends I18nElement {
  static override styles = css`
    button {
      font: inherit;
      font-size: var(--sl-font-size-small);
      color: inherit;
      background: transparent;
      border: 1px solid currentColor;
      border-radius: var(--sl-border-radius-pill);
      padding: 2px var(--sl-spacing-small);
      cursor: pointer;
      display: inline-flex;
      gap: 4px;
      align-items: center;
    }
    button:focus-visible {
      outline: var(--sl-focus-ring);
    }
  `

  override render() {
    const next = getLocale() === "zh" ? "en" : "zh"
    return html`<button type="button" lang=${next === "zh" ? "zh-CN" : "en"} title=${kt("lang.switch")} @click=${() => setLocale(next)}>
      <sl-icon name="translate" aria-hidden="true"></sl-icon>${kt(`lang.${next}`)}
    </button>`
  }
}
