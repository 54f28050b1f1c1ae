import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, LogLevel } from "effect"
import * as fs from "node:fs"
import { MasterConfig } from "./MasterConfig.js"
import { formatConfigError } from "./startupErrors.js"

const load = (env: Record<string, string>) =>
  Effect.runSyncExit(
    Effect.either(MasterConfig.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))))
  )

const settingsInCode = () => {
  const source = fs.readFileSync(new URL("./MasterConfig.ts", import.meta.url), "utf8")
  return [...new Set([...source.matchAll(/"((?:NCOD|DATABASE|REDIS)_[A-Z_]+)"/g)].map((m) => m[1]!))].sort()
}

describe("master settings", () => {
  it("have working defaults", () => {
    const result = Effect.runSync(MasterConfig.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))))
    expect(result.port).toBe(8443)
    expect(result.insecureHttp).toBe(false)
    expect(result.corsOrigins).toEqual([])
    expect(result.logLevel).toBe(LogLevel.Info)
    expect(result.bcryptCost).toBe(12)
  })

  it("report every invalid setting by name in one line", () => {
    const exit = load({ NCOD_PORT: "70000", NCOD_CORS_ORIGINS: "https://ok.example,*", NCOD_LOG_LEVEL: "loud" })
    expect(exit._tag).toBe("Success")
    const either = exit._tag === "Success" ? exit.value : Either.right(null)
    expect(Either.isLeft(either)).toBe(true)
    if (Either.isLeft(either)) {
      const line = formatConfigError(either.left)
      expect(line).not.toContain("\n")
      for (const name of ["NCOD_PORT", "NCOD_CORS_ORIGINS", "NCOD_LOG_LEVEL"]) expect(line).toContain(name)
    }
  })

  it("are each documented in master/README.md, and the README documents nothing that does not exist", () => {
    const readme = fs.readFileSync(new URL("../../README.md", import.meta.url), "utf8")
    const documented = [...readme.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]!)
    const inCode = [...settingsInCode(), "NCOD_ENV_FILE"].sort()
    expect([...new Set(documented)].sort()).toEqual(inCode)
  })
})
