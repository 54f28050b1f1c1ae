import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { rawGet, testHttpClientLayer, testMasterLayer } from "../testing/TestMaster.js"

const build = (title: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ncod-static-"))
  fs.mkdirSync(path.join(dir, "assets"))
  fs.writeFileSync(path.join(dir, "index.html"), `<!doctype html><title>${title}</title>`)
  fs.writeFileSync(path.join(dir, "assets", "main-AbCdEf12.js"), "console.log(1)")
  return dir
}
const web = build("portal")
const admin = build("admin")

layer(Layer.provideMerge(testHttpClientLayer, testMasterLayer({ NCOD_WEB_DIR: web, NCOD_ADMIN_DIR: admin })), { timeout: 120_000 })(
  "the built apps",
  (it) => {
    it.effect("are served with index.html for client-side routes and long caching for hashed assets", () =>
      Effect.gen(function* () {
        const home = yield* rawGet("/")
        expect(yield* home.text).toContain("<title>portal</title>")
        expect(home.headers["cache-control"]).toBe("no-cache")
        expect(yield* (yield* rawGet("/devices/some-route")).text).toContain("<title>portal</title>")
        expect(yield* (yield* rawGet("/admin")).text).toContain("<title>admin</title>")
        expect(yield* (yield* rawGet("/admin/users")).text).toContain("<title>admin</title>")
        const asset = yield* rawGet("/assets/main-AbCdEf12.js")
        expect(asset.headers["content-type"]).toMatch(/javascript/)
        expect(asset.headers["cache-control"]).toContain("immutable")
      })
    )

    it.effect("never answer an unknown API path with the app, and never leave the build directory", () =>
      Effect.gen(function* () {
        const api = yield* rawGet("/api/v1/does-not-exist")
        expect(api.status).toBe(404)
        expect(yield* api.json).toMatchObject({ code: "NOT_FOUND" })
        const escape = yield* rawGet("/assets/..%2F..%2F..%2F..%2Fetc%2Fpasswd")
        expect(yield* escape.text).not.toContain("root:")
      })
    )
  }
)
