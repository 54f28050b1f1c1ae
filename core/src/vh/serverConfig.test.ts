import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import {
  applyManagedServerSettings,
  buildClientAuthorizationCommandLine,
  getServerConfigValue,
  parseServerConfigIni,
  printServerConfigIni,
  readVhEventHooks
} from "./serverConfig.js"

const written = (text: string) =>
  [
    "[General]",
    "ServerName=old",
    "License=abc123,xyz",
    "; written by vhusbd",
    "onEnumeration.05ac=cat $DEVPATH$/bNumConfigurations > $DEVPATH$/bConfigurationValue",
    "",
    "[Nicknames]",
    "1-1.2=Scope"
  ].join(text)

describe("vhusbd config.ini", () => {
  it("round-trips a file it does not change, byte for byte, LF and CRLF", () => {
    for (const eol of ["\n", "\r\n"]) {
      const text = written(eol) + eol
      expect(printServerConfigIni(parseServerConfigIni(text))).toBe(text)
    }
  })

  it("sets the managed keys and keeps every other line and section", () => {
    const ini = parseServerConfigIni(`${written("\n")}\n`)
    const next = Either.getOrThrow(
      applyManagedServerSettings(ini, {
        serverName: "slave-7",
        tcpPort: 7575,
        clientAuthorization: buildClientAuthorizationCommandLine("/usr/local/bin/ncod-slave", ["auth-hook"]),
        eventHooks: { onBind: "/usr/local/bin/ncod-slave event bind $ADDRESS$", "onBind.05ac": null }
      })
    )
    const text = printServerConfigIni(next)
    expect(text).toContain("ServerName=slave-7\n")
    expect(text).toContain("License=abc123,xyz\n")
    expect(text).toContain("; written by vhusbd\n")
    expect(text).toContain("[Nicknames]\n1-1.2=Scope\n")
    expect(getServerConfigValue(next, "tcpport")).toBe("7575")
    expect(getServerConfigValue(next, "clientauthorization")).toBe(
      "/usr/local/bin/ncod-slave auth-hook --vendor-id '$VENDOR_ID$' --product-id '$PRODUCT_ID$' --client-id '$CLIENT_ID$' --client-ip '$CLIENT_IP$' --serial '$PRODUCT_SERIAL$' --password '$PASSWORD$' --devpath '$DEVPATH$'"
    )
    expect(text.indexOf("onBind=")).toBeLessThan(text.indexOf("[Nicknames]"))
    expect(readVhEventHooks(next).map((hook) => hook.event)).toEqual(["onEnumeration", "onBind"])
  })

  it("quotes the hook's values so a client id cannot run a command, however vhusbd fills it in", async () => {
    const { execFileSync } = await import("node:child_process")
    const line = buildClientAuthorizationCommandLine("printf", ["%s\\n"])
    // vhusbd substitutes raw text; a shell then runs the line
    const filled = line.replaceAll("$CLIENT_ID$", "Eve $(echo pwned) `echo pwned` $HOME (eve)").replace(/\$[A-Z_]+\$/g, "x")
    const printed = execFileSync("/bin/sh", ["-c", filled], { encoding: "utf8" })
    expect(printed).toContain("Eve $(echo pwned) `echo pwned` $HOME (eve)")
    expect(printed).not.toContain("pwned\n")
  })

  it("keeps the spelling of an existing key instead of adding a duplicate", () => {
    const ini = parseServerConfigIni("clientAuthorization=/old.sh\n")
    const text = printServerConfigIni(Either.getOrThrow(applyManagedServerSettings(ini, { clientAuthorization: "/new.sh" })))
    expect(text).toBe("clientAuthorization=/new.sh\n")
  })

  it("removes the authorization hook for advisory mode", () => {
    const ini = parseServerConfigIni("[General]\nClientAuthorization=/x.sh\nServerName=a\n")
    expect(printServerConfigIni(Either.getOrThrow(applyManagedServerSettings(ini, { clientAuthorization: null })))).toBe(
      "[General]\nServerName=a\n"
    )
  })

  it("creates [General] in an empty file", () => {
    const ini = parseServerConfigIni("")
    expect(printServerConfigIni(Either.getOrThrow(applyManagedServerSettings(ini, { serverName: "$HOSTNAME$" })))).toBe(
      "[General]\nServerName=$HOSTNAME$\n"
    )
  })

  it("refuses values that would add lines, and bad hook keys or ports", () => {
    const ini = parseServerConfigIni("")
    expect(Either.isLeft(applyManagedServerSettings(ini, { serverName: "a\nLicense=stolen" }))).toBe(true)
    expect(Either.isLeft(applyManagedServerSettings(ini, { tcpPort: 70000 }))).toBe(true)
    expect(Either.isLeft(applyManagedServerSettings(ini, { eventHooks: { "bind\n": "x" } }))).toBe(true)
  })
})
