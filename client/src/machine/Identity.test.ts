import { describe, expect, it } from "@effect/vitest"
import { formatClientIdentity, gecosFullName, isValidClientIdentity } from "./Identity.js"

describe("the VirtualHere client id", () => {
  it("reads the full name from the GECOS field, before the first comma", () => {
    const passwd = ["root:x:0:0:root:/root:/bin/bash", "ann:x:1000:1000:Ann Lee,Room 4,,:/home/ann:/bin/bash", "bob:x:1001:1001::/home/bob:/bin/sh"].join("\n")
    expect(gecosFullName(passwd, "ann")).toBe("Ann Lee")
    expect(gecosFullName(passwd, "bob")).toBe("")
    expect(gecosFullName(passwd, "zed")).toBe("")
  })

  it("is `Full Name (username)`, or `(username)` without a full name, as vhusbd passes $CLIENT_ID$", () => {
    expect(formatClientIdentity("Ann Lee", "ann")).toBe("Ann Lee (ann)")
    expect(formatClientIdentity("", "bob")).toBe("(bob)")
    expect(formatClientIdentity("  Zoë Ng ", "zoe")).toBe("Zoë Ng (zoe)")
  })

  it("is checked with the master's rule: no commas or control characters, ends with (user)", () => {
    expect(isValidClientIdentity("Ann Lee (ann)")).toBe(true)
    expect(isValidClientIdentity("(bob)")).toBe(true)
    expect(isValidClientIdentity("Lee, Ann (ann)")).toBe(false)
    expect(isValidClientIdentity("Ann Lee")).toBe(false)
    expect(isValidClientIdentity("Ann\nLee (ann)")).toBe(false)
  })
})
