import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { resolvePaths } from "./Paths.js"
import { makeSeqStore } from "./SeqStore.js"
import { defaultSettings, loadSettings } from "./Settings.js"

const temp = () => fs.mkdtempSync(path.join(os.tmpdir(), "ncod-settings-"))

describe("the agent's settings", () => {
  it.effect("are the defaults without a file or environment", () =>
    Effect.gen(function* () {
      expect(yield* loadSettings(path.join(temp(), "config.json"), {})).toEqual(defaultSettings)
    })
  )

  it.effect("take config.json over the defaults and the environment over both", () =>
    Effect.gen(function* () {
      const file = path.join(temp(), "config.json")
      fs.writeFileSync(file, JSON.stringify({ scanIntervalSeconds: 3, vhusbdPort: 7576, vhusbdRestartCommand: ["systemctl", "restart", "vhusbd.service"] }))
      const settings = yield* loadSettings(file, { NCOD_SLAVE_SCAN_INTERVAL_SECONDS: "0.5", NCOD_SLAVE_VHUSBD_CONFIG: "" })
      expect(settings).toMatchObject({ scanIntervalSeconds: 0.5, vhusbdPort: 7576, vhusbdConfigFile: null, vhusbdRestartCommand: ["systemctl", "restart", "vhusbd.service"] })
    })
  )

  it.effect("refuse a typo, a wrong type or an out-of-range value with the key's name", () =>
    Effect.gen(function* () {
      const file = path.join(temp(), "config.json")
      fs.writeFileSync(file, JSON.stringify({ scanIntervalSecond: 3 }))
      expect((yield* Effect.flip(loadSettings(file, {}))).message).toMatch(/scanIntervalSecond/)
      fs.writeFileSync(file, JSON.stringify({ vhusbdPort: 70000 }))
      expect((yield* Effect.flip(loadSettings(file, {}))).message).toMatch(/vhusbdPort/)
      fs.writeFileSync(file, "{ not json")
      expect((yield* Effect.flip(loadSettings(file, {}))).message).toMatch(/not valid JSON/)
      expect((yield* Effect.flip(loadSettings(path.join(temp(), "none.json"), { NCOD_SLAVE_BACKOFF_CAP_SECONDS: "soon" }))).message).toMatch(
        /NCOD_SLAVE_BACKOFF_CAP_SECONDS/
      )
    })
  )

  it("resolve paths from flags, then the environment, then the defaults", () => {
    expect(resolvePaths({}, {}).socketPath).toBe("/run/ncod-slave/agent.sock")
    expect(resolvePaths({}, { NCOD_SLAVE_CONFIG_DIR: "/tmp/a" }).configDir).toBe("/tmp/a")
    expect(resolvePaths({ configDir: "/tmp/b" }, { NCOD_SLAVE_CONFIG_DIR: "/tmp/a" }).configDir).toBe("/tmp/b")
  })
})

describe("report sequence numbers", () => {
  it.effect("increase strictly, survive a restart, and stay ahead when the clock steps back", () =>
    Effect.gen(function* () {
      const file = path.join(temp(), "seq")
      let now = 1_000_000
      const first = yield* makeSeqStore(file, () => now)
      expect(yield* first.next).toBe(1_000_000)
      expect(yield* first.next).toBe(1_000_001)
      now = 5 // the clock jumped back, and the agent restarted
      const second = yield* makeSeqStore(file, () => now)
      expect(yield* second.next).toBe(1_000_002)
      now = 2_000_000
      expect(yield* second.next).toBe(2_000_000)
      expect(fs.readFileSync(file, "utf8").trim()).toBe("2000000")
    })
  )
})
