import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import { defaultMessage as message } from "./messages.js"

/** Wrong username or password: the same answer for both, so accounts cannot be discovered. */
export class InvalidCredentials extends Schema.TaggedError<InvalidCredentials>()(
  "InvalidCredentials",
  { code: Schema.tag("INVALID_CREDENTIALS"), message: message("INVALID_CREDENTIALS") },
  HttpApiSchema.annotations({ status: 401 })
) {}

export class TooManyAttempts extends Schema.TaggedError<TooManyAttempts>()(
  "TooManyAttempts",
  { code: Schema.tag("TOO_MANY_ATTEMPTS"), message: message("TOO_MANY_ATTEMPTS"), retryAfterSeconds: Schema.Int },
  HttpApiSchema.annotations({ status: 429 })
) {}

export class AccountPending extends Schema.TaggedError<AccountPending>()(
  "AccountPending",
  { code: Schema.tag("ACCOUNT_PENDING"), message: message("ACCOUNT_PENDING") },
  HttpApiSchema.annotations({ status: 403 })
) {}

export class AccountRejected extends Schema.TaggedError<AccountRejected>()(
  "AccountRejected",
  { code: Schema.tag("ACCOUNT_REJECTED"), message: message("ACCOUNT_REJECTED"), reason: Schema.NullOr(Schema.String) },
  HttpApiSchema.annotations({ status: 403 })
) {}

export class AccountDisabled extends Schema.TaggedError<AccountDisabled>()(
  "AccountDisabled",
  { code: Schema.tag("ACCOUNT_DISABLED"), message: message("ACCOUNT_DISABLED") },
  HttpApiSchema.annotations({ status: 403 })
) {}

export class PasswordChangeRequired extends Schema.TaggedError<PasswordChangeRequired>()(
  "PasswordChangeRequired",
  { code: Schema.tag("PASSWORD_CHANGE_REQUIRED"), message: message("PASSWORD_CHANGE_REQUIRED") },
  HttpApiSchema.annotations({ status: 403 })
) {}

/** The client's machine is not (yet) approved for this user; an approval request exists. */
export class MachinePending extends Schema.TaggedError<MachinePending>()(
  "MachinePending",
  { code: Schema.tag("MACHINE_PENDING"), message: message("MACHINE_PENDING"), mac: Schema.String },
  HttpApiSchema.annotations({ status: 403 })
) {}

export class MachineRevoked extends Schema.TaggedError<MachineRevoked>()(
  "MachineRevoked",
  { code: Schema.tag("MACHINE_REVOKED"), message: message("MACHINE_REVOKED"), mac: Schema.String },
  HttpApiSchema.annotations({ status: 403 })
) {}

/** The MAC matches an approved binding but the machine cannot prove it holds that binding's key. */
export class MachineUntrusted extends Schema.TaggedError<MachineUntrusted>()(
  "MachineUntrusted",
  { code: Schema.tag("MACHINE_UNTRUSTED"), message: message("MACHINE_UNTRUSTED") },
  HttpApiSchema.annotations({ status: 403 })
) {}

export class UsernameTaken extends Schema.TaggedError<UsernameTaken>()(
  "UsernameTaken",
  { code: Schema.tag("USERNAME_TAKEN"), message: message("USERNAME_TAKEN") },
  HttpApiSchema.annotations({ status: 409 })
) {}

export class OrgUnitInUse extends Schema.TaggedError<OrgUnitInUse>()(
  "OrgUnitInUse",
  {
    code: Schema.tag("ORG_UNIT_IN_USE"),
    message: message("ORG_UNIT_IN_USE"),
    members: Schema.Int,
    children: Schema.Int
  },
  HttpApiSchema.annotations({ status: 409 })
) {}

/** The slave was decommissioned by an admin: it must stop reporting until re-admitted. */
export class SlaveDecommissioned extends Schema.TaggedError<SlaveDecommissioned>()(
  "SlaveDecommissioned",
  { code: Schema.tag("SLAVE_DECOMMISSIONED"), message: message("SLAVE_DECOMMISSIONED") },
  HttpApiSchema.annotations({ status: 410 })
) {}

/** The device is held by someone else: the answer names who, so people can talk to each other. */
export class DeviceBusy extends Schema.TaggedError<DeviceBusy>()(
  "DeviceBusy",
  {
    code: Schema.tag("DEVICE_BUSY"),
    message: message("DEVICE_BUSY"),
    holderUsername: Schema.String,
    holderDisplayName: Schema.String
  },
  HttpApiSchema.annotations({ status: 409 })
) {}

/** The device cannot be leased now: its slave is offline, it was unplugged, or nobody granted it. */
export class DeviceUnavailable extends Schema.TaggedError<DeviceUnavailable>()(
  "DeviceUnavailable",
  { code: Schema.tag("DEVICE_UNAVAILABLE"), message: message("DEVICE_UNAVAILABLE"), reason: Schema.Literal("slave_offline", "device_removed", "device_offline", "not_granted", "reserved") },
  HttpApiSchema.annotations({ status: 409 })
) {}
