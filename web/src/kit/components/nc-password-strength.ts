import { css, html, nothing } from "lit"
import { customElement, property } from "lit/decorators.js"
import { passwordStrength } from "../forms/passwordStrength.js"
import { kt } from "../kitMessages.js"
import { I18nElement } from "./I18nElement.js"

const colours = ["danger", "danger", "warning", "success", "success"] as const

/** A five-step meter with the first hints for making the password stronger. */
@customElement("nc-password-strength")
export class NcPasswordStrength extends I18nElement {
  @property() accessor password = ""
  @property({ attribute: false }) accessor personal: ReadonlyArray<string | null | undefined> = []

  static override styles = css`
    :host {
      display: block;
      font-size: var(--sl-font-size-small);
    }
    .bar {
      display: grid;
      grid-template-columns: repeat(5, 1fr);
      gap: 3px;
      margin: var(--sl-spacing-2x-small) 0;
    }
    .bar span {
      height: 5px;
      border-radius: 3px;
      background: var(--sl-color-neutral-200);
    }
    .bar span.on.danger {
      background: var(--sl-color-danger-500);
    }
    .bar span.on.warning {
      background: var(--sl-color-warning-500);
    }
    .bar span.on.success {
      background: var(--sl-color-success-600);
    }
    ul {
      margin: 0;
      padding-inline-start: 1.2rem;
      color: var(--sl-color-neutral-700);
    }
  `

  override render() {
    if (this.password.length === 0) return nothing
    const strength = passwordStrength(this.password, this.personal)
    const colour = colours[strength.score]
    return html`<div class="bar" aria-hidden="true">
        ${[0, 1, 2, 3, 4].map((step) => html`<span class=${step <= strength.score ? `on ${colour}` : ""}></span>`)}
      </div>
      <div aria-live="polite">${kt("strength.label", { level: kt(`strength.${strength.score}`) })}</div>
      ${strength.hints.length > 0 ? html`<ul>${strength.hints.slice(0, 2).map((hint) => html`<li>${kt(hint.key, hint.params)}</li>`)}</ul>` : nothing}`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "nc-password-strength": NcPasswordStrength
  }
}
