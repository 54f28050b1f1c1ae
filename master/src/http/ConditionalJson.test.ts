import { describe, expect, it } from "@effect/vitest"
import { acceptsGzip, etagMatches } from "./ConditionalJson.js"

describe("conditional JSON answers", () => {
  it("match an ETag weakly, in a list, or with *", () => {
    const etag = `W/"abc"`
    expect(etagMatches(undefined, etag)).toBe(false)
    expect(etagMatches(`W/"abc"`, etag)).toBe(true)
    expect(etagMatches(`"abc"`, etag)).toBe(true)
    expect(etagMatches(`"x", W/"abc"`, etag)).toBe(true)
    expect(etagMatches("*", etag)).toBe(true)
    expect(etagMatches(`"abcd"`, etag)).toBe(false)
    expect(etagMatches(`W/"ab"`, etag)).toBe(false)
  })

  it("send gzip only to callers that list it without q=0", () => {
    expect(acceptsGzip(undefined)).toBe(false)
    expect(acceptsGzip("gzip, deflate, br, zstd")).toBe(true)
    expect(acceptsGzip("br;q=1.0, GZIP;q=0.5")).toBe(true)
    expect(acceptsGzip("gzip;q=0")).toBe(false)
    expect(acceptsGzip("gzip; q=0.000, identity")).toBe(false)
    expect(acceptsGzip("x-gzip, identity")).toBe(false)
    expect(acceptsGzip("identity")).toBe(false)
  })
})
