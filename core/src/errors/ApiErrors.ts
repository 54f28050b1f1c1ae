import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import { defaultMessage as message } from "./messages.js"

/**
 * Every error a caller can see. Each has a stable `code` (what programs switch on), an HTTP status
 * and a `message` for people. The master renders `message` in the caller's language from
 * `errorMessages` before sending, so server code never writes user-facing text.
 */

export const FieldIssue = Schema.Struct({
  path: Schema.Array(Schema.Union(Schema.String, Schema.Number)),
  message: Schema.String
})
export type FieldIssue = typeof FieldIssue.Type

export class ValidationFailed extends Schema.TaggedError<ValidationFailed>()(
  "ValidationFailed",
  { code: Schema.tag("VALIDATION_FAILED"), message: message("VALIDATION_FAILED"), issues: Schema.Array(FieldIssue) },
  HttpApiSchema.annotations({ status: 400, description: "The request is malformed; `issues` names each field" })
) {}

export class Unauthenticated extends Schema.TaggedError<Unauthenticated>()(
  "Unauthenticated",
  { code: Schema.tag("UNAUTHENTICATED"), message: message("UNAUTHENTICATED") },
  HttpApiSchema.annotations({ status: 401, description: "Missing, invalid or expired credentials" })
) {}

export class Forbidden extends Schema.TaggedError<Forbidden>()(
  "Forbidden",
  { code: Schema.tag("FORBIDDEN"), message: message("FORBIDDEN") },
  HttpApiSchema.annotations({ status: 403 })
) {}

export class NotFound extends Schema.TaggedError<NotFound>()(
  "NotFound",
  { code: Schema.tag("NOT_FOUND"), message: message("NOT_FOUND"), resource: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}

export class Conflict extends Schema.TaggedError<Conflict>()(
  "Conflict",
  { code: Schema.tag("CONFLICT"), message: message("CONFLICT"), reason: Schema.String },
  HttpApiSchema.annotations({ status: 409 })
) {}

export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()(
  "PayloadTooLarge",
  { code: Schema.tag("PAYLOAD_TOO_LARGE"), message: message("PAYLOAD_TOO_LARGE"), limitBytes: Schema.Int },
  HttpApiSchema.annotations({ status: 413 })
) {}

export class RateLimited extends Schema.TaggedError<RateLimited>()(
  "RateLimited",
  { code: Schema.tag("RATE_LIMITED"), message: message("RATE_LIMITED"), retryAfterSeconds: Schema.Int },
  HttpApiSchema.annotations({ status: 429 })
) {}

export class NotReady extends Schema.TaggedError<NotReady>()(
  "NotReady",
  { code: Schema.tag("NOT_READY"), message: message("NOT_READY"), checks: Schema.Record({ key: Schema.String, value: Schema.String }) },
  HttpApiSchema.annotations({ status: 503 })
) {}

export class InternalError extends Schema.TaggedError<InternalError>()(
  "InternalError",
  { code: Schema.tag("INTERNAL"), message: message("INTERNAL"), requestId: Schema.optional(Schema.String) },
  HttpApiSchema.annotations({ status: 500 })
) {}
