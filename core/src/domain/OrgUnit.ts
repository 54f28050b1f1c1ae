import { Schema } from "effect"
import { OrgUnitId } from "../ids.js"
import { Label } from "../schema/Text.js"
import { Timestamp } from "../schema/Timestamp.js"

/** The org tree has three levels: organization → company → project department. */
export const OrgUnitKind = Schema.Literal("organization", "company", "project_department")
export type OrgUnitKind = typeof OrgUnitKind.Type

/** The kind a child of each kind must have; a project department has no children. */
export const childKindOf: Record<OrgUnitKind, OrgUnitKind | null> = {
  organization: "company",
  company: "project_department",
  project_department: null
}

export class OrgUnit extends Schema.Class<OrgUnit>("OrgUnit")({
  id: OrgUnitId,
  kind: OrgUnitKind,
  parentId: Schema.NullOr(OrgUnitId),
  name: Label(120),
  nameEn: Schema.NullOr(Label(120)),
  retiredAt: Schema.NullOr(Timestamp),
  createdAt: Timestamp
}) {}
