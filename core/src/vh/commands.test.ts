import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import * as C from "./commands.js"
import { parseCommandLine } from "./parseCommand.js"

const built = <E>(either: Either.Either<C.VhCommand, E>) => Either.getOrThrow(either) as string
const refused = <A>(either: Either.Either<A, C.VhCommand | { _tag: string }>) =>
  Either.isLeft(either) ? (either.left as { _tag: string })._tag : "built"

describe("command builders", () => {
  it("build the documented command lines", () => {
    expect(C.buildListCommand()).toBe("LIST")
    expect(C.buildGetClientStateCommand()).toBe("GET CLIENT STATE")
    expect(built(C.buildUseCommand("raspberrypi.114"))).toBe("USE,raspberrypi.114")
    expect(built(C.buildUseCommand("raspberrypi.114", "s3cret"))).toBe("USE,raspberrypi.114,s3cret")
    expect(built(C.buildStopUsingCommand("SERVER.73"))).toBe("STOP USING,SERVER.73")
    expect(C.buildStopUsingAllCommand()).toBe("STOP USING ALL")
    expect(built(C.buildDeviceInfoCommand("spf3-topaz-1.17"))).toBe("DEVICE INFO,spf3-topaz-1.17")
    expect(built(C.buildServerInfoCommand("Windows Hub"))).toBe("SERVER INFO,Windows Hub")
    expect(built(C.buildManualHubAddCommand("192.168.0.16"))).toBe("MANUAL HUB ADD,192.168.0.16")
    expect(built(C.buildManualHubAddCommand("slave-3.lab:7575"))).toBe("MANUAL HUB ADD,slave-3.lab:7575")
    expect(built(C.buildManualHubRemoveCommand("[fe80::1]:7575"))).toBe("MANUAL HUB REMOVE,[fe80::1]:7575")
    expect(C.buildManualHubListCommand()).toBe("MANUAL HUB LIST")
    expect(C.buildAutoUseAllCommand()).toBe("AUTO USE ALL")
    expect(built(C.buildAutoUseHubCommand("Desktop Hub"))).toBe("AUTO USE HUB,Desktop Hub")
    expect(built(C.buildAutoUsePortCommand("h.1"))).toBe("AUTO USE PORT,h.1")
    expect(built(C.buildAutoUseDeviceCommand("h.1"))).toBe("AUTO USE DEVICE,h.1")
    expect(built(C.buildAutoUseDevicePortCommand("h.1"))).toBe("AUTO USE DEVICE PORT,h.1")
    expect(C.buildAutoUseClearAllCommand()).toBe("AUTO USE CLEAR ALL")
    expect(built(C.buildDeviceRenameCommand("h.1", "Bench scope"))).toBe("DEVICE RENAME,h.1,Bench scope")
  })

  it("reject injection through addresses, hosts, names, nicknames and passwords before building", () => {
    const attempts = [
      C.buildUseCommand("host.1,STOP USING ALL"),
      C.buildUseCommand("host.1\nSTOP USING ALL"),
      C.buildUseCommand("host.1", "pw,STOP USING ALL"),
      C.buildUseCommand("host.1", "pw\nEXIT"),
      C.buildStopUsingCommand("host.1\r\nEXIT"),
      C.buildDeviceInfoCommand("host.1\u0000"),
      C.buildServerInfoCommand("Hub,AUTO USE ALL"),
      C.buildManualHubAddCommand("evil.example,7575"),
      C.buildManualHubAddCommand("evil.example\nMANUAL HUB REMOVE ALL"),
      C.buildDeviceRenameCommand("host.1", "nick,STOP USING ALL"),
      C.buildDeviceRenameCommand("host.1", "nick\u001b[2J"),
      C.buildAutoUseHubCommand("x\ty")
    ]
    for (const attempt of attempts) expect(refused(attempt)).toBe("VhInvalidArgument")
  })

  it("reject malformed addresses", () => {
    for (const address of ["", "host", "host.", ".12", "host.x", "ho st.1", " host.1"]) {
      expect(refused(C.buildUseCommand(address))).toBe("VhInvalidArgument")
    }
  })

  it("never let a comma or line break through, whatever the argument", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), fc.string({ unit: "binary", maxLength: 20 }), (a, b) => {
        for (const result of [
          C.buildUseCommand(a, b),
          C.buildStopUsingCommand(a),
          C.buildDeviceInfoCommand(a),
          C.buildServerInfoCommand(a),
          C.buildManualHubAddCommand(a),
          C.buildDeviceRenameCommand(a, b)
        ]) {
          if (Either.isRight(result)) {
            expect(result.right).not.toMatch(/[\u0000-\u001f\u007f]/)
            const commas = (result.right.match(/,/g) ?? []).length
            expect(commas).toBeLessThanOrEqual(2)
            expect(parseCommandLine(result.right).verb).not.toBe("UNKNOWN")
          }
        }
      }),
      { numRuns: 5_000 }
    )
  })

  it("parse back into the same verb and arguments, verbs case-insensitive", () => {
    expect(parseCommandLine("use,server.111")).toEqual({ verb: "USE", address: "server.111", password: null })
    expect(parseCommandLine("USE,h.1,pw")).toEqual({ verb: "USE", address: "h.1", password: "pw" })
    expect(parseCommandLine("device rename,h.1,Scope")).toEqual({ verb: "DEVICE RENAME", address: "h.1", nickname: "Scope" })
    expect(parseCommandLine("Manual Hub Add,h:7575")).toEqual({ verb: "MANUAL HUB ADD", hub: "h:7575" })
    expect(parseCommandLine("LIST,extra").verb).toBe("UNKNOWN")
  })
})
