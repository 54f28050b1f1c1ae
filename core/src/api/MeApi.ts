import { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { Schema } from "effect"
import { Machine } from "../domain/Machine.js"
import { OrgUnit } from "../domain/OrgUnit.js"
import { User } from "../domain/User.js"
import { NotFound, ValidationFailed } from "../errors/ApiErrors.js"
import { InvalidCredentials, TooManyAttempts } from "../errors/AuthErrors.js"
import { MachineId } from "../ids.js"
import { Email, Label, Phone, Text } from "../schema/Text.js"
import { Password } from "./AuthApi.js"
import { ApprovedUser, Authenticated } from "./Security.js"
import { strict } from "./shared.js"

export const Profile = Schema.Struct({
  user: User,
  /** From the organization down to the user's unit, for display. */
  orgPath: Schema.Array(OrgUnit)
})
export type Profile = typeof Profile.Type

/** What a user may change about themselves; role, status and org unit are not among it. */
export const ProfileUpdate = Schema.Struct({
  displayName: Schema.optional(Label(80)),
  email: Schema.optional(Email),
  phone: Schema.optional(Schema.NullOr(Phone))
}).annotations(strict)

export const PasswordChange = Schema.Struct({
  currentPassword: Text(256),
  newPassword: Password
}).annotations(strict)

/** The signed-in user's own account; open to pending and rejected users too. */
export class MeApi extends HttpApiGroup.make("me")
  .add(HttpApiEndpoint.get("profile", "/").addSuccess(Profile))
  .add(HttpApiEndpoint.patch("updateProfile", "/").setPayload(ProfileUpdate).addSuccess(Profile))
  .add(
    HttpApiEndpoint.post("changePassword", "/password")
      .setPayload(PasswordChange)
      .addSuccess(Schema.Void, { status: 204 })
      .addError(InvalidCredentials)
      .addError(TooManyAttempts)
  )
  .addError(ValidationFailed)
  .middleware(Authenticated)
  .prefix("/api/v1/me")
{}

/** The user's machine bindings (MAC + key) used by the CLI's sign-in. */
export class MyMachinesApi extends HttpApiGroup.make("myMachines")
  .add(HttpApiEndpoint.get("list", "/").addSuccess(Schema.Array(Machine)))
  .add(
    HttpApiEndpoint.del("revoke", "/:id")
      .setPath(Schema.Struct({ id: MachineId }))
      .addSuccess(Machine)
      .addError(NotFound)
  )
  .middleware(ApprovedUser)
  .prefix("/api/v1/me/machines")
{}
