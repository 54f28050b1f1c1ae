import { Schema } from "effect"

/** Control characters never belong in names: they break logs, terminals and the VirtualHere IPC. */
const noControlCharacters = /^[^\u0000-\u001f\u007f]*$/

/**
 * Free text of bounded length. NUL is refused everywhere: PostgreSQL cannot store it, and bcrypt
 * would silently cut a password at it.
 */
export const Text = (maxLength: number) =>
  Schema.String.pipe(
    Schema.maxLength(maxLength, { message: () => `must be at most ${maxLength} characters` }),
    Schema.pattern(/^[^\u0000]*$/, { message: () => "must not contain NUL characters" })
  )

/** A trimmed, non-empty, single-line human text of bounded length. */
export const Label = (maxLength: number) =>
  Schema.Trim.pipe(
    Schema.minLength(1, { message: () => "must not be empty" }),
    Schema.maxLength(maxLength, { message: () => `must be at most ${maxLength} characters` }),
    Schema.pattern(noControlCharacters, { message: () => "must not contain control characters" })
  )

export const Username = Schema.String.pipe(
  Schema.pattern(/^[a-zA-Z0-9][a-zA-Z0-9._-]{2,31}$/, {
    message: () => "3-32 characters: letters, digits, dot, dash or underscore, starting with a letter or digit"
  }),
  Schema.annotations({ identifier: "Username" })
)

export const Email = Schema.Trim.pipe(
  Schema.maxLength(254),
  Schema.pattern(/^[^\s@\u0000-\u001f]+@[^\s@\u0000-\u001f]+\.[^\s@\u0000-\u001f]+$/, { message: () => "must be an email address" }),
  Schema.annotations({ identifier: "Email" })
)

export const Phone = Schema.Trim.pipe(
  Schema.pattern(/^\+?[0-9][0-9 ()-]{4,24}$/, { message: () => "must be a phone number" }),
  Schema.annotations({ identifier: "Phone" })
)

/** A MAC address, normalised to lower-case colon-separated form (aa:bb:cc:dd:ee:ff). */
export const MacAddress = Schema.transform(
  Schema.String.pipe(
    Schema.pattern(/^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/, { message: () => "must be a MAC address" })
  ),
  Schema.String,
  { strict: true, decode: (mac) => mac.toLowerCase().replaceAll("-", ":"), encode: (mac) => mac }
).annotations({ identifier: "MacAddress" })

/** USB vendor and product ids as four lower-case hex digits, e.g. "0403". */
export const UsbId = Schema.String.pipe(
  Schema.pattern(/^[0-9a-f]{4}$/, { message: () => "must be four lower-case hex digits" }),
  Schema.annotations({ identifier: "UsbId" })
)

/** Free-form key/value labels (rack, room, owner team). */
export const Labels = Schema.Record({ key: Text(64), value: Text(256) })

/**
 * Free-form JSON details (audit entries, device events). The values are any JSON; the annotation
 * keeps the OpenAPI document free of a repeated "unknown" schema id that validators reject.
 */
export const JsonDetails = Schema.Record({ key: Schema.String, value: Schema.Unknown.annotations({ jsonSchema: {} }) }).annotations({
  identifier: "JsonDetails"
})
