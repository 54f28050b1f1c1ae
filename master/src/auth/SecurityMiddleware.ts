import { AdminOnly, ApprovedUser, Authenticated } from "@ncod/core"
import { Effect, Layer, Redacted } from "effect"
import { AccessControl } from "./AccessControl.js"

/** The three doors of the API, all through AccessControl. */
export const AuthenticatedLive = Layer.effect(
  Authenticated,
  Effect.map(AccessControl, (access) => Authenticated.of({ bearer: (token) => access.signedIn(Redacted.value(token)) }))
)

export const ApprovedUserLive = Layer.effect(
  ApprovedUser,
  Effect.map(AccessControl, (access) => ApprovedUser.of({ bearer: (token) => access.approved(Redacted.value(token)) }))
)

export const AdminOnlyLive = Layer.effect(
  AdminOnly,
  Effect.map(AccessControl, (access) => AdminOnly.of({ bearer: (token) => access.admin(Redacted.value(token)) }))
)

export const SecurityMiddlewareLive = Layer.mergeAll(AuthenticatedLive, ApprovedUserLive, AdminOnlyLive)
