import { Schema } from "effect"
import { Text } from "../schema/Text.js"

/** Cursor pagination: pass `nextCursor` back as `cursor` until it is null. */
export const PageQuery = {
  limit: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 500))),
  cursor: Schema.optional(Text(200))
}

export const Page = <A, I, R>(item: Schema.Schema<A, I, R>) =>
  Schema.Struct({ items: Schema.Array(item), nextCursor: Schema.NullOr(Schema.String) })

/** Payloads refuse unknown fields: a client cannot slip in `role` or `status` (mass assignment). */
export const strict = { parseOptions: { onExcessProperty: "error" } } as const

/** A free-text reason an admin gives (rejection, disabling, kicking). */
export const Reason = Schema.Trim.pipe(
  Schema.minLength(1),
  Schema.maxLength(500),
  Schema.pattern(/^[^\u0000]*$/, { message: () => "must not contain NUL characters" })
)
