import { DateTime, ParseResult, Schema } from "effect"

/**
 * An instant in UTC. On the wire it is an ISO 8601 string; from the database driver it arrives as a
 * JS Date. Accepting both lets one model serve the API and the repositories.
 */
export const Timestamp = Schema.transformOrFail(
  Schema.Union(Schema.String, Schema.DateFromSelf).annotations({
    jsonSchema: { type: "string", format: "date-time" }
  }),
  Schema.DateTimeUtcFromSelf,
  {
    strict: true,
    decode: (input, _options, ast) => {
      const parsed = DateTime.make(input)
      return parsed._tag === "Some"
        ? ParseResult.succeed(DateTime.toUtc(parsed.value))
        : ParseResult.fail(new ParseResult.Type(ast, input, "Expected an ISO 8601 date-time"))
    },
    encode: (dateTime) => ParseResult.succeed(DateTime.formatIso(dateTime))
  }
).annotations({ identifier: "Timestamp", description: "ISO 8601 date-time in UTC" })
export type Timestamp = typeof Timestamp.Type
