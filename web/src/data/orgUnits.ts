import type { OrgUnit, OrgUnitId, OrgUnitKind } from "@ncod/core"
import type { Api } from "../kit/api/ApiContext.js"
import type { Locale } from "../kit/i18n/locale.js"

/** The public org tree (the registration form loads it before anyone signs in). */
export const fetchOrgTree = (api: Api) => api.callAnonymous((client) => client.orgUnits.tree())

/** A unit's name in the UI language: the English name when there is one and English is chosen. */
export const unitName = (unit: Pick<OrgUnit, "name" | "nameEn">, locale: Locale) => (locale === "en" && unit.nameEn ? unit.nameEn : unit.name)

/** The active children of `parentId` (null: the organizations) of the given kind, by name. */
export const childrenOf = (
  units: ReadonlyArray<OrgUnit>,
  parentId: OrgUnitId | null,
  kind: OrgUnitKind,
  locale: Locale
): ReadonlyArray<OrgUnit> =>
  units
    .filter((unit) => unit.parentId === parentId && unit.kind === kind && unit.retiredAt === null)
    .sort((a, b) => unitName(a, locale).localeCompare(unitName(b, locale), locale === "zh" ? "zh-CN" : "en"))

/** The chain from the organization down to `id` (for "组织 / 公司 / 项目部" labels). */
export const pathTo = (units: ReadonlyArray<OrgUnit>, id: OrgUnitId | null): ReadonlyArray<OrgUnit> => {
  const byId = new Map(units.map((unit) => [unit.id, unit]))
  const path: Array<OrgUnit> = []
  let cursor = id === null ? undefined : byId.get(id)
  while (cursor !== undefined && path.length < 10) {
    path.unshift(cursor)
    cursor = cursor.parentId === null ? undefined : byId.get(cursor.parentId)
  }
  return path
}

export const pathLabel = (units: ReadonlyArray<Pick<OrgUnit, "name" | "nameEn">>, locale: Locale) =>
  units.map((unit) => unitName(unit, locale)).join(" / ")
