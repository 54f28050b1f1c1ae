import { HttpApiMiddleware, HttpApiSecurity } from "@effect/platform"
import { Context, Schema } from "effect"
import { Forbidden, Unauthenticated } from "../errors/ApiErrors.js"
import { AccountDisabled, AccountPending, AccountRejected, PasswordChangeRequired } from "../errors/AuthErrors.js"
import type { Role, UserStatus } from "../domain/User.js"
import type { MachineId, UserId } from "../ids.js"

/**
 * Who a token is for. Audiences keep the doors apart: a portal token cannot drive the CLI's
 * machine-bound routes, only an `admin` token opens admin routes, and slaves have their own.
 */
export const Audience = Schema.Literal("portal", "client", "admin")
export type Audience = typeof Audience.Type

/** The caller of a request, established by one of the middlewares below. */
export interface Principal {
  readonly userId: UserId
  readonly username: string
  readonly displayName: string
  readonly role: Role
  readonly status: UserStatus
  readonly mustChangePassword: boolean
  readonly audience: Audience
  /** The approved machine a `client` token is bound to. */
  readonly machineId: MachineId | null
  readonly tokenId: string
}

export class CurrentUser extends Context.Tag("@ncod/core/CurrentUser")<CurrentUser, Principal>() {}

const bearer = { bearer: HttpApiSecurity.bearer }

/** Any signed-in user, whatever the account's state: for the user's own profile. */
export class Authenticated extends HttpApiMiddleware.Tag<Authenticated>()("Authenticated", {
  failure: Schema.Union(Unauthenticated, AccountDisabled),
  provides: CurrentUser,
  security: bearer
}) {}

/** An approved user who has no pending password change: for everything that uses the fleet. */
export class ApprovedUser extends HttpApiMiddleware.Tag<ApprovedUser>()("ApprovedUser", {
  failure: Schema.Union(Unauthenticated, AccountPending, AccountRejected, AccountDisabled, PasswordChangeRequired),
  provides: CurrentUser,
  security: bearer
}) {}

/** An admin signed in to the admin application (audience `admin`). */
export class AdminOnly extends HttpApiMiddleware.Tag<AdminOnly>()("AdminOnly", {
  failure: Schema.Union(Unauthenticated, Forbidden, PasswordChangeRequired),
  provides: CurrentUser,
  security: bearer
}) {}
