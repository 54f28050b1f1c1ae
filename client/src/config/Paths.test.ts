import { describe, expect, it } from "@effect/vitest"
import { languageFrom } from "./ClientConfig.js"
import { configDirFor } from "./Paths.js"

describe("the configuration directory", () => {
  it("follows each OS's convention, with NCOD_CLIENT_HOME first", () => {
    expect(configDirFor({}, "linux", "/home/ann")).toBe("/home/ann/.config/ncod")
    expect(configDirFor({ XDG_CONFIG_HOME: "/cfg" }, "linux", "/home/ann")).toBe("/cfg/ncod")
    expect(configDirFor({ XDG_CONFIG_HOME: "relative" }, "linux", "/home/ann")).toBe("/home/ann/.config/ncod")
    expect(configDirFor({}, "darwin", "/Users/ann")).toBe("/Users/ann/Library/Application Support/ncod")
    expect(configDirFor({ APPDATA: "C:\\Users\\ann\\AppData\\Roaming" }, "win32", "C:\\Users\\ann")).toBe("C:\\Users\\ann\\AppData\\Roaming\\ncod")
    expect(configDirFor({ NCOD_CLIENT_HOME: "/tmp/x" }, "darwin", "/Users/ann")).toBe("/tmp/x")
  })
})

describe("the language of the master's messages", () => {
  it("is Chinese when the locale says so (LC_ALL, then LC_MESSAGES, then LANG), else English", () => {
    expect(languageFrom({ LANG: "zh_CN.UTF-8" })).toBe("zh")
    expect(languageFrom({ LC_ALL: "en_US.UTF-8", LANG: "zh_CN.UTF-8" })).toBe("en")
    expect(languageFrom({ LC_MESSAGES: "zh_TW", LANG: "C" })).toBe("zh")
    expect(languageFrom({})).toBe("en")
  })
})
