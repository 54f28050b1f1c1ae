import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { withFileLock, writePrivateFile } from "./files.js"

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "ncod-files-"))

describe("configuration files", () => {
  it.effect("are written whole, readable by their owner only, in a private directory", () =>
    Effect.gen(function* () {
      const dir = path.join(tempDir(), "ncod")
      const file = path.join(dir, "session.json")
      yield* writePrivateFile(file, "one")
      yield* writePrivateFile(file, "two")
      expect(fs.readFileSync(file, "utf8")).toBe("two")
      expect(fs.statSync(file).mode & 0o777).toBe(0o600)
      expect(fs.statSync(dir).mode & 0o777).toBe(0o700)
      expect(fs.readdirSync(dir)).toEqual(["session.json"])
    })
  )

  it.live("lock files serialise two holders and a stale lock is taken over", () =>
    Effect.gen(function* () {
      const file = path.join(tempDir(), "session.json")
      const order: Array<string> = []
      const holder = (name: string) =>
        withFileLock(file, Effect.gen(function* () {
          order.push(`${name} in`)
          yield* Effect.sleep("100 millis")
          order.push(`${name} out`)
        }))
      const a = yield* Effect.fork(holder("a"))
      yield* Effect.sleep("20 millis")
      yield* holder("b")
      yield* Fiber.join(a)
      expect(order).toEqual(["a in", "a out", "b in", "b out"])
      fs.writeFileSync(`${file}.lock`, "99999")
      fs.utimesSync(`${file}.lock`, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000))
      expect(yield* withFileLock(file, Effect.succeed("taken"))).toBe("taken")
      expect(fs.existsSync(`${file}.lock`)).toBe(false)
    })
  )
})
