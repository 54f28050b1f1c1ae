import { describe, expect, it } from "@effect/vitest"
import { NotFound, RateLimited, ValidationFailed } from "./ApiErrors.js"
import { errorMessages, localeFromAcceptLanguage, renderErrorMessage } from "./messages.js"

describe("error messages", () => {
  it("prefer Chinese only when the caller ranks it first", () => {
    expect(localeFromAcceptLanguage("zh-CN,zh;q=0.9,en;q=0.8")).toBe("zh")
    expect(localeFromAcceptLanguage("en-US,en;q=0.9,zh;q=0.8")).toBe("en")
    expect(localeFromAcceptLanguage("fr-FR, zh-TW;q=0.5")).toBe("zh")
    expect(localeFromAcceptLanguage("zh;q=0, en")).toBe("en")
    expect(localeFromAcceptLanguage(undefined)).toBe("en")
    expect(localeFromAcceptLanguage("garbage;;;,q=")).toBe("en")
  })

  it("render parameters from the error's own fields", () => {
    expect(renderErrorMessage({ code: "RATE_LIMITED", retryAfterSeconds: 42 }, "en")).toContain("42 seconds")
    expect(renderErrorMessage({ code: "RATE_LIMITED", retryAfterSeconds: 42 }, "zh")).toContain("42 秒")
    expect(renderErrorMessage({ code: "NOT_FOUND", resource: "device" }, "zh")).toBe("未找到该设备。")
    expect(
      renderErrorMessage({ code: "VALIDATION_FAILED", issues: [{ path: ["email"] }, { path: ["email"] }, { path: ["phone"] }] }, "en")
    ).toBe("Some fields are not valid: email, phone. Correct them and try again.")
  })

  it("leave unknown codes alone", () => {
    expect(renderErrorMessage({ code: "SOMETHING_NEW" }, "en")).toBeUndefined()
    expect(renderErrorMessage({}, "zh")).toBeUndefined()
  })

  it("exist in both languages for every code, and errors default to the English text", () => {
    for (const [code, byLocale] of Object.entries(errorMessages)) {
      expect(byLocale.en({}).length, code).toBeGreaterThan(0)
      expect(byLocale.zh({}).length, code).toBeGreaterThan(0)
    }
    expect(new NotFound({ resource: "device" }).code).toBe("NOT_FOUND")
    expect(new RateLimited({ retryAfterSeconds: 3 }).message).toBe(errorMessages["RATE_LIMITED"]!.en({}))
    expect(new ValidationFailed({ issues: [] })._tag).toBe("ValidationFailed")
  })
})
