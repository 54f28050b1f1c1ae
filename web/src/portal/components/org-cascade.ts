import type { OrgUnit, OrgUnitId } from "@ncod/core"
import { css, html, nothing } from "lit"
import { customElement, property } from "lit/decorators.js"
import { childrenOf, unitName } from "../../data/orgUnits.js"
import { I18nElement } from "../../kit/components/I18nElement.js"
import { getLocale } from "../../kit/i18n/locale.js"
import { kt } from "../../kit/kitMessages.js"
import { pt } from "../messages.js"

export interface OrgChoice {
  readonly organization: OrgUnitId | null
  readonly company: OrgUnitId | null
  readonly department: OrgUnitId | null
}

export const emptyChoice: OrgChoice = { organization: null, company: null, department: null }

/** Organization → company → project department as three selects, each filled from the one above. */
@customElement("org-cascade")
export class OrgCascade extends I18nElement {
  @property({ attribute: false }) accessor units: ReadonlyArray<OrgUnit> = []
  @property({ attribute: false }) accessor value: OrgChoice = emptyChoice
  @property() accessor error = ""

  static override styles = css`
    :host {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(min(100%, 12rem), 1fr));
      gap: var(--sl-spacing-small);
    }
    .field-error {
      grid-column: 1 / -1;
      color: var(--sl-color-danger-700);
      font-size: var(--sl-font-size-small);
    }
  `

  private change(next: OrgChoice) {
    this.value = next
    this.dispatchEvent(new CustomEvent("org-change", { detail: next, bubbles: true, composed: true }))
  }

  private select(label: string, name: string, options: ReadonlyArray<OrgUnit>, selected: OrgUnitId | null, disabled: boolean, onPick: (id: OrgUnitId | null) => void) {
    const locale = getLocale()
    return html`<sl-select
      name=${name}
      label=${label}
      placeholder=${pt("register.choose")}
      .value=${selected ?? ""}
      ?disabled=${disabled || options.length === 0}
      @sl-change=${(event: Event) => {
        const value = (event.target as HTMLSelectElement).value
        onPick(value ? (value as OrgUnitId) : null)
      }}
    >
      ${options.map((unit) => html`<sl-option value=${unit.id}>${unitName(unit, locale)}</sl-option>`)}
    </sl-select>`
  }

  override render() {
    const locale = getLocale()
    const organizations = childrenOf(this.units, null, "organization", locale)
    const companies = this.value.organization ? childrenOf(this.units, this.value.organization, "company", locale) : []
    const departments = this.value.company ? childrenOf(this.units, this.value.company, "project_department", locale) : []
    return html`
      ${this.select(kt("orgKind.organization"), "organization", organizations, this.value.organization, false, (id) =>
        this.change({ organization: id, company: null, department: null })
      )}
      ${this.select(kt("orgKind.company"), "company", companies, this.value.company, !this.value.organization, (id) =>
        this.change({ ...this.value, company: id, department: null })
      )}
      ${this.select(kt("orgKind.project_department"), "department", departments, this.value.department, !this.value.company, (id) =>
        this.change({ ...this.value, department: id })
      )}
      ${this.error ? html`<div class="field-error" role="alert">${this.error}</div>` : nothing}
    `
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "org-cascade": OrgCascade
  }
}
