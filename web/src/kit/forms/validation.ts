import { Email, Label, Password, Phone, Username } from "@ncod/core"
import { Either, Schema } from "effect"
import { kt, type KitKey } from "../kitMessages.js"

/**
 * Field checks for forms, from the contract's own schemas (so the form and the master agree), with
 * messages from the UI's catalogue. Each returns the message to show, or undefined when valid.
 */
export type FieldCheck = (value: string) => string | undefined

const passes = <A>(schema: Schema.Schema<A, string>) => {
  const decode = Schema.decodeUnknownEither(schema)
  return (value: string) => Either.isRight(decode(value))
}

const validUsername = passes(Username)
const validEmail = passes(Email)
const validPhone = passes(Phone)
const validPassword = passes(Password)

export const required: FieldCheck = (value) => (value.trim().length === 0 ? kt("field.required") : undefined)

export const username: FieldCheck = (value) => required(value) ?? (validUsername(value) ? undefined : kt("field.username"))

export const email: FieldCheck = (value) => required(value) ?? (validEmail(value) ? undefined : kt("field.email"))

/** Optional: empty is fine. */
export const phone: FieldCheck = (value) => (value.trim().length === 0 || validPhone(value) ? undefined : kt("field.phone"))

/** A single-line label of at most `max` characters (display names, org unit names, nicknames). */
export const label =
  (max: number): FieldCheck =>
  (value) => {
    const missing = required(value)
    if (missing) return missing
    if (/[\u0000-\u001f\u007f]/.test(value)) return kt("field.controlChars")
    if (value.trim().length > max) return kt("field.tooLong", { n: max })
    return Either.isRight(Schema.decodeUnknownEither(Label(max))(value)) ? undefined : kt("field.required")
  }

export const password: FieldCheck = (value) => {
  if (value.length < 12) return kt("field.passwordShort")
  if (value.length > 128) return kt("field.passwordLong")
  return validPassword(value) ? undefined : kt("field.passwordShort")
}

/** Runs the checks of a form; the result maps each invalid field to its message. */
export const validate = <K extends string>(values: Readonly<Record<K, string>>, checks: Partial<Record<K, FieldCheck>>) => {
  const errors: Partial<Record<K, string>> = {}
  for (const key of Object.keys(checks) as Array<K>) {
    const message = checks[key]?.(values[key] ?? "")
    if (message !== undefined) errors[key] = message
  }
  return errors
}

/**
 * The master's field messages are the schema's English texts; show the catalogue's text for the
 * ones we know, in the UI language, and the master's own otherwise.
 */
const knownServerMessages: ReadonlyArray<[RegExp, KitKey]> = [
  [/^must be at least 12 characters/, "field.passwordShort"],
  [/^must be at most 128 characters/, "field.passwordLong"],
  [/^3-32 characters/, "field.username"],
  [/^must be an email address/, "field.email"],
  [/^must be a phone number/, "field.phone"],
  [/^must not be empty/, "field.required"],
  [/^must not contain control characters/, "field.controlChars"],
  [/project department/, "field.orgUnit"]
]

export const localizeFieldMessage = (message: string) => {
  for (const [pattern, key] of knownServerMessages) if (pattern.test(message)) return kt(key)
  return message
}
