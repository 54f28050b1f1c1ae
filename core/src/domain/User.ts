import { Schema } from "effect"
import { OrgUnitId, UserId } from "../ids.js"
import { Email, Label, Phone, Username } from "../schema/Text.js"
import { Timestamp } from "../schema/Timestamp.js"

export const Role = Schema.Literal("user", "admin")
export type Role = typeof Role.Type

/** New accounts start `pending`; only `approved` accounts may use devices. */
export const UserStatus = Schema.Literal("pending", "approved", "rejected", "disabled")
export type UserStatus = typeof UserStatus.Type

/** A user as anyone may see it: never carries the password hash. */
export class User extends Schema.Class<User>("User")({
  id: UserId,
  username: Username,
  displayName: Label(80),
  email: Schema.NullOr(Email),
  phone: Schema.NullOr(Phone),
  role: Role,
  status: UserStatus,
  orgUnitId: Schema.NullOr(OrgUnitId),
  statusReason: Schema.NullOr(Schema.String),
  mustChangePassword: Schema.Boolean,
  approvedBy: Schema.NullOr(UserId),
  approvedAt: Schema.NullOr(Timestamp),
  createdAt: Timestamp,
  updatedAt: Timestamp
}) {}
