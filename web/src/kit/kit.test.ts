import { describe, expect, it } from "vitest"
import { toUiError } from "./api/UiError.js"
import { passwordStrength } from "./forms/passwordStrength.js"
import * as checks from "./forms/validation.js"
import { defineMessages, interpolate } from "./i18n/i18n.js"
import { getLocale, parseLocale, setLocale } from "./i18n/locale.js"
import { backoffMs, rpcUrl } from "./live/LiveEvents.js"
import { parseBlocks, parseInline, safeHref } from "./markdown.js"
import { formatDuration } from "./format.js"
import { parseRoute } from "./router.js"
import { kt } from "./kitMessages.js"

describe("i18n", () => {
  it("is Chinese by default and switches to English", () => {
    expect(parseLocale(null)).toBe("zh")
    expect(parseLocale("en")).toBe("en")
    expect(getLocale()).toBe("zh")
    expect(kt("action.save")).toBe("保存")
    setLocale("en")
    expect(kt("action.save")).toBe("Save")
    setLocale("zh")
  })

  it("fills placeholders and leaves unknown ones visible", () => {
    expect(interpolate("共 {n} 台", { n: 3 })).toBe("共 3 台")
    expect(interpolate("{who} asks", {})).toBe("{who} asks")
  })

  it("has every key in both languages", () => {
    const t = defineMessages({ a: "甲", b: "乙 {x}" }, { a: "A", b: "B {x}" })
    expect(Object.keys(t.catalogues.zh).sort()).toEqual(Object.keys(t.catalogues.en).sort())
    expect(Object.keys(kt.catalogues.zh).sort()).toEqual(Object.keys(kt.catalogues.en).sort())
  })
})

describe("form checks", () => {
  it("use the contract's schemas", () => {
    expect(checks.username("li.wei")).toBeUndefined()
    expect(checks.username("-x")).toBe(kt("field.username"))
    expect(checks.email("a@b.cn")).toBeUndefined()
    expect(checks.email("nope")).toBe(kt("field.email"))
    expect(checks.phone("")).toBeUndefined()
    expect(checks.phone("12")).toBe(kt("field.phone"))
    expect(checks.password("short")).toBe(kt("field.passwordShort"))
    expect(checks.password("a long enough passphrase")).toBeUndefined()
    expect(checks.label(5)("line\nbreak")).toBe(kt("field.controlChars"))
    expect(checks.label(5)("toolong")).toBe(kt("field.tooLong", { n: 5 }))
  })

  it("translate the master's known field messages", () => {
    expect(checks.localizeFieldMessage("must be at least 12 characters")).toBe(kt("field.passwordShort"))
    expect(checks.localizeFieldMessage("something new")).toBe("something new")
  })
})

describe("password strength", () => {
  it("refuses what the master refuses and rewards length", () => {
    expect(passwordStrength("short").score).toBe(0)
    expect(passwordStrength("aaaaaaaaaaaaaa").score).toBe(0)
    expect(passwordStrength("li.wei is great 2026", ["li.wei"]).score).toBe(0)
    expect(passwordStrength("password123456").score).toBeLessThanOrEqual(1)
    expect(passwordStrength("correct horse battery staple").score).toBeGreaterThanOrEqual(3)
    expect(passwordStrength("铜锣湾的晚风吹过维多利亚港 2026").score).toBeGreaterThanOrEqual(2)
  })
})

describe("markdown", () => {
  it("parses headings, lists, code and inline marks", () => {
    const blocks = parseBlocks("# Title\n\nSome *text* here.\n\n- one\n- two\n\n```\nncod login\n```\n")
    expect(blocks.map((block) => block.kind)).toEqual(["heading", "paragraph", "list", "code"])
    expect(parseInline("run `ncod` and **see** [more](faq)").map((part) => part.kind)).toEqual(["text", "code", "text", "strong", "text", "link"])
  })

  it("keeps only safe link targets", () => {
    const resolve = (slug: string) => `/manual/${slug}`
    expect(safeHref("faq", resolve)).toBe("/manual/faq")
    expect(safeHref("https://example.com", resolve)).toBe("https://example.com")
    expect(safeHref("javascript:alert(1)", resolve)).toBeUndefined()
    expect(safeHref("//evil.example", resolve)).toBeUndefined()
    expect(safeHref("data:text/html,x", resolve)).toBeUndefined()
  })

  it("has the same pages in Chinese and English", async () => {
    const fs = await import("node:fs")
    const dir = new URL("../manual/", import.meta.url)
    expect(fs.readdirSync(new URL("zh/", dir)).sort()).toEqual(fs.readdirSync(new URL("en/", dir)).sort())
  })
})

describe("plumbing", () => {
  it("turns error bodies and transport failures into UiErrors", () => {
    const fallback = (code: string) => `fallback ${code}`
    const body = { _tag: "ValidationFailed", code: "VALIDATION_FAILED", message: "bad", issues: [{ path: ["password"], message: "must be at least 12 characters" }] }
    expect(toUiError(body, fallback)).toEqual({ code: "VALIDATION_FAILED", message: "bad", fields: { password: "must be at least 12 characters" }, details: {} })
    expect(toUiError({ _tag: "DeviceBusy", code: "DEVICE_BUSY", message: "busy", holderUsername: "x" }, fallback).details).toEqual({ holderUsername: "x" })
    expect(toUiError({ _tag: "RequestError", reason: "Transport" }, fallback).code).toBe("NETWORK")
    expect(toUiError(new Error("boom"), fallback)).toMatchObject({ code: "UNEXPECTED", message: "fallback UNEXPECTED" })
  })

  it("routes below the app's base", () => {
    expect(parseRoute("/admin/slaves", "", "/admin/").segments).toEqual(["slaves"])
    expect(parseRoute("/admin", "", "/admin/").path).toBe("/")
    expect(parseRoute("/devices/abc", "?q=1", "/").query.get("q")).toBe("1")
  })

  it("subscribes over wss beside https, and backs off with a cap", () => {
    expect(rpcUrl("https://ncod.example.com:8443")).toBe("wss://ncod.example.com:8443/rpc")
    expect(rpcUrl("http://127.0.0.1:8080")).toBe("ws://127.0.0.1:8080/rpc")
    expect(backoffMs(0)).toBe(0)
    expect(backoffMs(1, () => 0.5)).toBe(1000)
    expect(backoffMs(20, () => 0.5)).toBe(30_000)
  })

  it("formats durations in both languages", () => {
    expect(formatDuration(3900, "zh")).toBe("1 小时 5 分钟")
    expect(formatDuration(3900, "en")).toBe("1 h 5 min")
    expect(formatDuration(0, "en")).toBe("0 s")
  })
})
