import { describe, expect, it } from "@effect/vitest"
import { DateTime, Either, Schema } from "effect"
import { Label, MacAddress, Username } from "./Text.js"
import { Timestamp } from "./Timestamp.js"

describe("Timestamp", () => {
  it("decodes ISO strings from the wire and Dates from the database to the same instant", () => {
    const fromString = Schema.decodeUnknownSync(Timestamp)("2026-11-25T08:00:00.000Z")
    const fromDate = Schema.decodeUnknownSync(Timestamp)(new Date("2026-11-25T08:00:00.000Z"))
    expect(DateTime.toEpochMillis(fromString)).toBe(DateTime.toEpochMillis(fromDate))
    expect(Schema.encodeSync(Timestamp)(fromDate)).toBe("2026-11-25T08:00:00.000Z")
  })

  it("rejects text that is not a date", () => {
    expect(Either.isLeft(Schema.decodeUnknownEither(Timestamp)("yesterday-ish"))).toBe(true)
  })
})

describe("text schemas", () => {
  it("normalise MAC addresses to lower-case colon form", () => {
    expect(Schema.decodeUnknownSync(MacAddress)("AA-BB-CC-00-11-2F")).toBe("aa:bb:cc:00:11:2f")
    expect(Either.isLeft(Schema.decodeUnknownEither(MacAddress)("aa:bb:cc:00:11"))).toBe(true)
  })

  it("keep labels single-line and bounded", () => {
    const label = Label(10)
    expect(Schema.decodeUnknownSync(label)("  Rack 3  ")).toBe("Rack 3")
    expect(Either.isLeft(Schema.decodeUnknownEither(label)("a\nb"))).toBe(true)
    expect(Either.isLeft(Schema.decodeUnknownEither(label)("   "))).toBe(true)
    expect(Either.isLeft(Schema.decodeUnknownEither(label)("x".repeat(11)))).toBe(true)
  })

  it("accept usernames of 3 to 32 safe characters", () => {
    expect(Schema.decodeUnknownSync(Username)("li.wei_01")).toBe("li.wei_01")
    for (const bad of ["ab", "-lead", "name with space", "x".repeat(33), "root';--"]) {
      expect(Either.isLeft(Schema.decodeUnknownEither(Username)(bad)), bad).toBe(true)
    }
  })
})
