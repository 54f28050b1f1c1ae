import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { boundTo, clientWorldLayer, deviceIdFor, leasesOf, loginApproved, makeUser, tmuxAvailable, tmuxSession, waitForScreen } from "./harness.js"

if (!tmuxAvailable()) throw new Error("tmux is missing: apt-get install -y tmux")

layer(clientWorldLayer({ graceSeconds: 30 }), { timeout: 300_000, excludeTestServices: true })("`ncod pick` in a real terminal (tmux, 80×24)", (it) => {
  it.scoped("lists the devices full-screen, filters as the user types, and Enter connects; Ctrl+C releases", () =>
    Effect.gen(function* () {
      const ivy = yield* makeUser("ivy", "Ivy Sato")
      yield* loginApproved(ivy)
      const device = yield* deviceIdFor("1-1.4")
      const term = yield* tmuxSession(ivy, ["pick"])
      let screen = yield* waitForScreen(term, /4\/4 devices/, 30_000)
      expect(screen).toHaveLength(24)
      for (const row of screen) expect(row.length).toBeLessThanOrEqual(80)
      expect(screen[0]).toMatch(/^ncod pick\s+4\/4 devices/)
      expect(screen[2]).toMatch(/DEVICE\s+SLAVE\s+VID:PID\s+STATE\s+HOLDER/)
      expect(screen.filter((row) => /lab-1\s+\S{4}:\S{4}\s+available/.test(row))).toHaveLength(4)
      expect(screen[23]).toContain("Enter connect")
      const selected = () => term.screen().find((row) => row.startsWith("> ")) ?? ""
      const first = selected()
      term.keys("Down")
      yield* Effect.sleep("300 millis")
      expect(selected()).not.toBe(first)

      term.type("stlink")
      screen = yield* waitForScreen(term, /1\/4 devices/, 5_000)
      expect(screen[1]).toContain("Filter: stlink")
      expect(selected()).toMatch(/^> STM32 STLink\s+lab-1\s+0483:3748\s+available/)

      term.keys("Enter")
      screen = yield* waitForScreen(term, /connected: STM32 STLink/, 30_000)
      expect(yield* boundTo("1-1.4")).toBe("Ivy Sato (ivy)")
      expect((yield* leasesOf(device.id)).find((lease) => lease.endedAt === null)).toMatchObject({ state: "active" })
      screen = yield* waitForScreen(term, /STM32 STLink connected · until \d\d:\d\d · master ok · Ctrl\+C releases/, 30_000)

      term.keys("C-c")
      screen = yield* waitForScreen(term, /EXIT=0/, 20_000)
      expect(screen.join("\n")).toContain("Released STM32 STLink")
      expect(yield* boundTo("1-1.4")).toBeNull()
      expect((yield* leasesOf(device.id)).filter((lease) => lease.endedAt === null)).toEqual([])
    })
  , 300_000)

  it.scoped("Escape leaves the list without leasing anything", () =>
    Effect.gen(function* () {
      const jon = yield* makeUser("jon", "Jon Berg")
      yield* loginApproved(jon)
      const term = yield* tmuxSession(jon, ["pick"])
      yield* waitForScreen(term, /devices/, 30_000)
      term.type("nothing-matches-this")
      yield* waitForScreen(term, /no device matches the filter/, 5_000)
      term.keys("Escape")
      const screen = yield* waitForScreen(term, /EXIT=0/, 10_000)
      expect(screen.join("\n")).not.toContain("connected")
      expect(jon.daemon.commandLog.filter((line) => line.startsWith("USE"))).toEqual([])
    })
  , 300_000)
})
