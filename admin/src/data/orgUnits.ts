import { childKindOf, type OrgUnit, type OrgUnitId, type OrgUnitKind, type OrgUnitWithCounts } from "@ncod/core"
import type { Api } from "@ncod/web"

/** The org tree editor's calls (AdminOrgUnitsApi). */
export const fetchUnits = (api: Api) => api.call((client) => client.adminOrgUnits.list())

export const createUnit = (api: Api, unit: { kind: OrgUnitKind; parentId: OrgUnitId | null; name: string; nameEn: string | null }) =>
  api.call((client) => client.adminOrgUnits.create({ payload: unit }))

export const updateUnit = (api: Api, id: OrgUnitId, update: { name?: string; nameEn?: string | null; parentId?: OrgUnitId }) =>
  api.call((client) => client.adminOrgUnits.update({ path: { id }, payload: update }))

export const retireUnit = (api: Api, id: OrgUnitId) => api.call((client) => client.adminOrgUnits.retire({ path: { id } }))

export const restoreUnit = (api: Api, id: OrgUnitId) => api.call((client) => client.adminOrgUnits.restore({ path: { id } }))

export const removeUnit = (api: Api, id: OrgUnitId) => api.call((client) => client.adminOrgUnits.remove({ path: { id } }))

export interface TreeNode {
  readonly entry: typeof OrgUnitWithCounts.Type
  readonly children: ReadonlyArray<TreeNode>
}

/** The flat list as a tree, each level by name. Units whose parent is missing become roots. */
export const buildTree = (entries: ReadonlyArray<typeof OrgUnitWithCounts.Type>): ReadonlyArray<TreeNode> => {
  const ids = new Set(entries.map((entry) => entry.unit.id))
  const byParent = new Map<string | null, Array<typeof OrgUnitWithCounts.Type>>()
  for (const entry of entries) {
    const parent = entry.unit.parentId !== null && ids.has(entry.unit.parentId) ? entry.unit.parentId : null
    byParent.set(parent, [...(byParent.get(parent) ?? []), entry])
  }
  const build = (parent: string | null, depth: number): ReadonlyArray<TreeNode> =>
    depth > 5
      ? []
      : (byParent.get(parent) ?? [])
          .sort((a, b) => a.unit.name.localeCompare(b.unit.name, "zh-CN"))
          .map((entry) => ({ entry, children: build(entry.unit.id, depth + 1) }))
  return build(null, 0)
}

/** What a new child of `unit` is (a project department has none). */
export const childKind = (unit: OrgUnit | null): OrgUnitKind | null => (unit === null ? "organization" : childKindOf[unit.kind])

/** The units a unit may move under: those of the kind above it, never itself. */
export const parentCandidates = (entries: ReadonlyArray<typeof OrgUnitWithCounts.Type>, unit: OrgUnit) =>
  entries.filter((entry) => entry.unit.id !== unit.id && childKindOf[entry.unit.kind] === unit.kind && entry.unit.retiredAt === null)
