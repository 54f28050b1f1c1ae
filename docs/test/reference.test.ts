// The generated reference pages of the docs site (npm run docs:build) come from READMEs checked
// against the code. Running the generators here makes `npm test` fail on the same drift, earlier.
import { errorMessages } from "@ncod/core"
import * as fs from "node:fs"
import { describe, expect, it } from "vitest"
import { errorsPage } from "../.vitepress/scripts/errors.js"
import { openApiDocument } from "../.vitepress/scripts/openapi.js"
import { settingsPages } from "../.vitepress/scripts/settings.js"

const source = (file: string) => fs.readFileSync(new URL(`../../${file}`, import.meta.url), "utf8")

describe("the docs site's reference", () => {
  it("documents every master, slave and client setting the code reads", () => {
    const pages = settingsPages()
    const master = [...source("master/src/config/MasterConfig.ts").matchAll(/"((?:NCOD|DATABASE|REDIS)_[A-Z_]+)"/g)].map((m) => m[1]!)
    const slave = [...source("slave/src/config/Settings.ts").matchAll(/"(NCOD_SLAVE_[A-Z_]+)"/g)].map((m) => m[1]!)
    const client = [...source("client/src/config/ClientConfig.ts").matchAll(/\("(NCOD_[A-Z_]+)"\)/g)].map((m) => m[1]!)
    expect(master.filter((name) => !pages.master.includes(`\`${name}\``))).toEqual([])
    expect(slave.filter((name) => !pages.slave.includes(`\`${name}\``))).toEqual([])
    expect(client.filter((name) => !pages.client.includes(`\`${name}\``))).toEqual([])
  })

  it("lists every error code with its English and Chinese message", () => {
    const page = errorsPage(openApiDocument())
    expect(Object.keys(errorMessages).filter((code) => !page.includes(`### ${code} {#`))).toEqual([])
    expect(page).toContain("| 409 | `DeviceBusy` |")
    expect(page).toContain("该设备已从从服务器上拔出。")
  })
})
