import { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { Schema } from "effect"
import { Text } from "../schema/Text.js"
import { AuditEvent, AuditResult } from "../domain/Audit.js"
import { Machine, MachineStatus } from "../domain/Machine.js"
import { Role, User, UserStatus } from "../domain/User.js"
import { Conflict, NotFound, ValidationFailed } from "../errors/ApiErrors.js"
import { MachineId, OrgUnitId, UserId } from "../ids.js"
import { AdminOnly } from "./Security.js"
import { Page, PageQuery, Reason, strict } from "./shared.js"

const byId = Schema.Struct({ id: UserId })

export const UserQuery = Schema.Struct({
  status: Schema.optional(UserStatus),
  role: Schema.optional(Role),
  orgUnitId: Schema.optional(OrgUnitId),
  /** Matches username, display name, email or phone. */
  q: Schema.optional(Text(100)),
  ...PageQuery
})

export const ReasonBody = Schema.Struct({ reason: Reason }).annotations(strict)

/** Approvals and account administration. */
export class AdminUsersApi extends HttpApiGroup.make("adminUsers")
  .add(HttpApiEndpoint.get("list", "/").setUrlParams(UserQuery).addSuccess(Page(User)))
  .add(HttpApiEndpoint.get("get", "/:id").setPath(byId).addSuccess(User))
  .add(HttpApiEndpoint.post("approve", "/:id/approve").setPath(byId).addSuccess(User))
  .add(
    HttpApiEndpoint.post("approveMany", "/approve")
      .setPayload(Schema.Struct({ ids: Schema.Array(UserId).pipe(Schema.minItems(1), Schema.maxItems(200)) }).annotations(strict))
      .addSuccess(Schema.Array(User))
  )
  .add(HttpApiEndpoint.post("reject", "/:id/reject").setPath(byId).setPayload(ReasonBody).addSuccess(User))
  .add(HttpApiEndpoint.post("disable", "/:id/disable").setPath(byId).setPayload(ReasonBody).addSuccess(User))
  .add(HttpApiEndpoint.post("enable", "/:id/enable").setPath(byId).addSuccess(User))
  .add(
    HttpApiEndpoint.put("setRole", "/:id/role")
      .setPath(byId)
      .setPayload(Schema.Struct({ role: Role }).annotations(strict))
      .addSuccess(User)
  )
  .add(
    HttpApiEndpoint.put("setOrgUnit", "/:id/org-unit")
      .setPath(byId)
      .setPayload(Schema.Struct({ orgUnitId: OrgUnitId }).annotations(strict))
      .addSuccess(User)
  )
  .addError(NotFound)
  .addError(Conflict)
  .addError(ValidationFailed)
  .middleware(AdminOnly)
  .prefix("/api/v1/admin/users")
{}

export const MachineWithOwner = Schema.Struct({ machine: Machine, username: Schema.String, displayName: Schema.String })

/** Machine binding requests: the one-step approval the CLI's sign-in waits for. */
export class AdminMachinesApi extends HttpApiGroup.make("adminMachines")
  .add(
    HttpApiEndpoint.get("list", "/")
      .setUrlParams(Schema.Struct({ status: Schema.optional(MachineStatus), userId: Schema.optional(UserId) }))
      .addSuccess(Schema.Array(MachineWithOwner))
  )
  .add(HttpApiEndpoint.post("approve", "/:id/approve").setPath(Schema.Struct({ id: MachineId })).addSuccess(Machine))
  .add(HttpApiEndpoint.post("revoke", "/:id/revoke").setPath(Schema.Struct({ id: MachineId })).addSuccess(Machine))
  .addError(NotFound)
  .middleware(AdminOnly)
  .prefix("/api/v1/admin/machines")
{}

export const AuditQuery = Schema.Struct({
  action: Schema.optional(Text(100)),
  actor: Schema.optional(Text(100)),
  result: Schema.optional(AuditResult),
  from: Schema.optional(Schema.DateTimeUtc),
  to: Schema.optional(Schema.DateTimeUtc),
  ...PageQuery
})

/** The audit log, newest first. */
export class AdminAuditApi extends HttpApiGroup.make("adminAudit")
  .add(HttpApiEndpoint.get("list", "/").setUrlParams(AuditQuery).addSuccess(Page(AuditEvent)))
  .addError(ValidationFailed)
  .middleware(AdminOnly)
  .prefix("/api/v1/admin/audit")
{}
