import { Schema } from "effect"
import { EnrollmentTokenId, UserId } from "../ids.js"
import { Timestamp } from "../schema/Timestamp.js"

/** An admin-issued token a new slave exchanges for its identity. The secret is shown once. */
export class EnrollmentToken extends Schema.Class<EnrollmentToken>("EnrollmentToken")({
  id: EnrollmentTokenId,
  label: Schema.String,
  maxUses: Schema.Int,
  uses: Schema.Int,
  expiresAt: Timestamp,
  createdBy: Schema.NullOr(UserId),
  createdAt: Timestamp,
  revokedAt: Schema.NullOr(Timestamp)
}) {}
