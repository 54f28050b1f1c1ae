import { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { Schema } from "effect"
import { OrgUnit, OrgUnitKind } from "../domain/OrgUnit.js"
import { Conflict, NotFound, ValidationFailed } from "../errors/ApiErrors.js"
import { OrgUnitInUse } from "../errors/AuthErrors.js"
import { OrgUnitId } from "../ids.js"
import { Label } from "../schema/Text.js"
import { AdminOnly } from "./Security.js"
import { strict } from "./shared.js"

/** The active org tree, public: the registration form needs it before anyone signs in. */
export class OrgUnitsApi extends HttpApiGroup.make("orgUnits")
  .add(HttpApiEndpoint.get("tree", "/").addSuccess(Schema.Array(OrgUnit)))
  .prefix("/api/v1/org-units")
{}

export const OrgUnitWithCounts = Schema.Struct({
  unit: OrgUnit,
  members: Schema.Int,
  children: Schema.Int
})

export const NewOrgUnit = Schema.Struct({
  kind: OrgUnitKind,
  parentId: Schema.NullOr(OrgUnitId),
  name: Label(120),
  nameEn: Schema.optionalWith(Schema.NullOr(Label(120)), { default: () => null })
}).annotations(strict)

export const OrgUnitUpdate = Schema.Struct({
  name: Schema.optional(Label(120)),
  nameEn: Schema.optional(Schema.NullOr(Label(120))),
  /** Moving a unit: the new parent must be of the kind above it. */
  parentId: Schema.optional(OrgUnitId)
}).annotations(strict)

const byId = Schema.Struct({ id: OrgUnitId })

/** Admins shape the tree: create, rename, move, retire and restore, delete when empty. */
export class AdminOrgUnitsApi extends HttpApiGroup.make("adminOrgUnits")
  .add(HttpApiEndpoint.get("list", "/").addSuccess(Schema.Array(OrgUnitWithCounts)))
  .add(HttpApiEndpoint.post("create", "/").setPayload(NewOrgUnit).addSuccess(OrgUnit, { status: 201 }))
  .add(HttpApiEndpoint.patch("update", "/:id").setPath(byId).setPayload(OrgUnitUpdate).addSuccess(OrgUnit))
  .add(HttpApiEndpoint.post("retire", "/:id/retire").setPath(byId).addSuccess(OrgUnit))
  .add(HttpApiEndpoint.post("restore", "/:id/restore").setPath(byId).addSuccess(OrgUnit))
  .add(HttpApiEndpoint.del("remove", "/:id").setPath(byId).addSuccess(Schema.Void, { status: 204 }).addError(OrgUnitInUse))
  .addError(NotFound)
  .addError(Conflict)
  .addError(ValidationFailed)
  .middleware(AdminOnly)
  .prefix("/api/v1/admin/org-units")
{}
