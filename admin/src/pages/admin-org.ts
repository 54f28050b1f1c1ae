import type { OrgUnit, OrgUnitId, OrgUnitKind, OrgUnitWithCounts } from "@ncod/core"
import { css, html, nothing } from "lit"
import { customElement, query, state } from "lit/decorators.js"
import type SlDialog from "@shoelace-style/shoelace/dist/components/dialog/dialog.js"
import { confirmDialog, I18nElement, kt, label as checkLabel, pageStyles, toast, type UiError } from "@ncod/web"
import { admin } from "../app.js"
import { buildTree, childKind, createUnit, fetchUnits, parentCandidates, removeUnit, restoreUnit, retireUnit, type TreeNode, updateUnit } from "../data/orgUnits.js"
import { at } from "../messages.js"

type Entry = typeof OrgUnitWithCounts.Type

interface Editing {
  readonly mode: "create" | "edit"
  readonly kind: OrgUnitKind
  readonly parentId: OrgUnitId | null
  readonly unit: OrgUnit | null
  readonly name: string
  readonly nameEn: string
}

/** The org tree (organization → company → project department): add, rename, move, retire, restore, delete. */
@customElement("admin-org")
export class AdminOrg extends I18nElement {
  @state() accessor entries: ReadonlyArray<Entry> | undefined
  @state() accessor error: UiError | undefined
  @state() accessor editing: Editing | undefined
  @state() accessor formError: UiError | undefined
  @state() accessor touched = false
  @state() accessor busy = false
  @query("sl-dialog") accessor dialog!: SlDialog

  static override styles = [
    pageStyles,
    css`
      ul.tree {
        list-style: none;
        margin: 0;
        padding-inline-start: 0;
      }
      ul.tree ul.tree {
        padding-inline-start: var(--sl-spacing-x-large);
        border-inline-start: 1px dashed var(--sl-color-neutral-300);
        margin-inline-start: var(--sl-spacing-small);
      }
      .node {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: var(--sl-spacing-x-small);
        padding: var(--sl-spacing-2x-small) 0;
      }
      .node .name {
        font-weight: var(--sl-font-weight-semibold);
      }
      .retired .name {
        text-decoration: line-through;
        color: var(--sl-color-neutral-500);
      }
      .field-error {
        color: var(--sl-color-danger-700);
        font-size: var(--sl-font-size-small);
      }
    `
  ]

  override connectedCallback() {
    super.connectedCallback()
    void this.load()
  }

  private async load() {
    this.error = undefined
    try {
      this.entries = await fetchUnits(admin.api)
    } catch (error) {
      this.error = error as UiError
    }
  }

  private open(editing: Editing) {
    this.editing = editing
    this.formError = undefined
    this.touched = false
    void this.dialog.show()
  }

  private async save() {
    const editing = this.editing
    if (!editing) return
    this.touched = true
    if (checkLabel(120)(editing.name) || (editing.nameEn.trim() && checkLabel(120)(editing.nameEn))) return
    this.busy = true
    this.formError = undefined
    try {
      const nameEn = editing.nameEn.trim() ? editing.nameEn.trim() : null
      if (editing.mode === "create") await createUnit(admin.api, { kind: editing.kind, parentId: editing.parentId, name: editing.name.trim(), nameEn })
      else if (editing.unit) {
        const moved = editing.parentId !== null && editing.parentId !== editing.unit.parentId
        await updateUnit(admin.api, editing.unit.id, { name: editing.name.trim(), nameEn, ...(moved && editing.parentId ? { parentId: editing.parentId } : {}) })
      }
      await this.dialog.hide()
      toast(at("org.saved"), "success")
      await this.load()
    } catch (error) {
      this.formError = error as UiError
    } finally {
      this.busy = false
    }
  }

  private async run(task: () => Promise<unknown>, done: string) {
    try {
      await task()
      toast(done, "success")
    } catch (error) {
      toast((error as UiError).message, "danger", 12_000)
    }
    await this.load()
  }

  private renderNode(node: TreeNode): unknown {
    const { unit, members, children } = node.entry
    const next = childKind(unit)
    const retired = unit.retiredAt !== null
    return html`<li>
      <div class="node ${retired ? "retired" : ""}" data-unit=${unit.id}>
        <sl-badge variant="neutral">${kt(`orgKind.${unit.kind}`)}</sl-badge>
        <span class="name">${unit.name}</span>
        ${unit.nameEn ? html`<span class="muted">${unit.nameEn}</span>` : nothing}
        <span class="muted">${at("org.counts", { members, children })}</span>
        ${retired ? html`<sl-badge variant="warning">${at("org.retired")}</sl-badge>` : nothing}
        ${next && !retired
          ? html`<sl-button size="small" @click=${() => this.open({ mode: "create", kind: next, parentId: unit.id, unit: null, name: "", nameEn: "" })}>
              <sl-icon slot="prefix" name="plus-lg"></sl-icon>${kt(`orgKind.${next}`)}</sl-button>`
          : nothing}
        <sl-button size="small" @click=${() => this.open({ mode: "edit", kind: unit.kind, parentId: unit.parentId, unit, name: unit.name, nameEn: unit.nameEn ?? "" })}>${at("org.edit")}</sl-button>
        ${retired
          ? html`<sl-button size="small" @click=${() => this.run(() => restoreUnit(admin.api, unit.id), at("org.restored"))}>${at("org.restore")}</sl-button>`
          : html`<sl-button size="small" @click=${() => this.run(() => retireUnit(admin.api, unit.id), at("org.retiredDone"))}>${at("org.retire")}</sl-button>`}
        <sl-button size="small" variant="danger" outline @click=${async () => {
          if (await confirmDialog(at("org.deleteConfirm", { name: unit.name }), at("org.delete"))) await this.run(() => removeUnit(admin.api, unit.id), at("org.deleted"))
        }}>${at("org.delete")}</sl-button>
      </div>
      ${node.children.length > 0 ? html`<ul class="tree">${node.children.map((child) => this.renderNode(child))}</ul>` : nothing}
    </li>`
  }

  private renderDialog() {
    const editing = this.editing
    const nameError = editing && this.touched ? checkLabel(120)(editing.name) : undefined
    const parents = editing?.mode === "edit" && editing.unit && editing.unit.kind !== "organization" && this.entries ? parentCandidates(this.entries, editing.unit) : []
    return html`<sl-dialog label=${editing?.mode === "create" ? at("org.createTitle", { kind: kt(`orgKind.${editing.kind}`) }) : at("org.editTitle")}>
      ${this.formError ? html`<nc-error .error=${this.formError}></nc-error>` : nothing}
      ${editing
        ? html`<div class="stack">
            <sl-input label=${at("org.name")} maxlength="120" .value=${editing.name} @sl-input=${(event: Event) => (this.editing = { ...editing, name: (event.target as HTMLInputElement).value })}>
              ${nameError ? html`<div slot="help-text" class="field-error">${nameError}</div>` : nothing}
            </sl-input>
            <sl-input label=${at("org.nameEn")} maxlength="120" .value=${editing.nameEn} @sl-input=${(event: Event) => (this.editing = { ...editing, nameEn: (event.target as HTMLInputElement).value })}></sl-input>
            ${parents.length > 0
              ? html`<sl-select label=${at("org.parent")} .value=${editing.parentId ?? ""} @sl-change=${(event: Event) => (this.editing = { ...editing, parentId: (event.target as HTMLSelectElement).value as OrgUnitId })}>
                  ${parents.map((entry) => html`<sl-option value=${entry.unit.id}>${entry.unit.name}</sl-option>`)}
                </sl-select>`
              : nothing}
          </div>`
        : nothing}
      <sl-button slot="footer" @click=${() => this.dialog.hide()}>${kt("action.cancel")}</sl-button>
      <sl-button slot="footer" variant="primary" ?loading=${this.busy} @click=${this.save}>${kt("action.save")}</sl-button>
    </sl-dialog>`
  }

  override render() {
    const tree = this.entries ? buildTree(this.entries) : undefined
    return html`<h1>${at("org.title")}</h1>
      <p class="muted">${at("org.intro")}</p>
      <div class="toolbar">
        <sl-button variant="primary" @click=${() => this.open({ mode: "create", kind: "organization", parentId: null, unit: null, name: "", nameEn: "" })}>
          <sl-icon slot="prefix" name="plus-lg"></sl-icon>${at("org.addOrganization")}</sl-button>
      </div>
      ${this.error ? html`<nc-error .error=${this.error} retry @nc-retry=${this.load}></nc-error>` : nothing}
      ${tree === undefined
        ? this.error ? nothing : html`<nc-loading></nc-loading>`
        : tree.length === 0
          ? html`<nc-empty icon="diagram-3" heading=${at("org.none")}>${at("org.noneHint")}</nc-empty>`
          : html`<sl-card><ul class="tree">${tree.map((node) => this.renderNode(node))}</ul></sl-card>`}
      ${this.renderDialog()}`
  }
}
