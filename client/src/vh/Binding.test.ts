import { expect, it } from "@effect/vitest"
import { parseListReply, printListReply, VhCommandFailed, type VhListReply } from "@ncod/core"
import { VhClient } from "@ncod/core/vh-node"
import { simClientDaemonScoped, simUsbServerScoped } from "@ncod/core/vh-sim"
import { Effect, Either, Layer } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { bindDevice, bindingIn, ensureHub, unbindDevice, waitForDevice } from "./Binding.js"

const md5 = (text: string) => createHash("md5").update(text).digest("hex")

/** A simulated slave (with an authorization hook that logs, refusing one password) and this PC's client daemon. */
const lab = Effect.gen(function* () {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ncod-binding-"))
  yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
  const log = path.join(dir, "hook.log")
  const hook = path.join(dir, "hook.sh")
  fs.writeFileSync(hook, `#!/bin/sh\necho "$1|$2" >> '${log}'\n[ "$2" = "${md5("wrong-password")}" ] && exit 0\nexit 1\n`, { mode: 0o755 })
  const server = yield* simUsbServerScoped({
    name: "benchhub",
    licensed: true,
    clientAuthorization: `'${hook}' "$CLIENT_ID$" "$PASSWORD$"`,
    devices: [
      { vendorId: "0403", productId: "6001", product: "FT232R USB UART", serial: "A1", busPath: "1-1.2" },
      { vendorId: "1366", productId: "0105", product: "J-Link", serial: "B2", busPath: "1-1.3" }
    ]
  })
  const pipes = (name: string) => ({ commandPipe: path.join(dir, `${name}-cmd`), responsePipe: path.join(dir, `${name}-resp`) })
  const daemon = yield* simClientDaemonScoped({ fullName: "Ann Lee", username: "ann", hostname: "ann-pc", ...pipes("ann") })
  const other = yield* simClientDaemonScoped({ fullName: "Rogue", username: "rogue", hostname: "rogue-pc", ...pipes("rogue"), hubs: [`127.0.0.1:${server.port}`] })
  return { server, daemon, other, hub: `127.0.0.1:${server.port}`, layer: VhClient.layerFifo(pipes("ann")), hookLog: () => fs.readFileSync(log, "utf8") }
})

it.scopedLive("adds the slave's hub once, binds with the one-time password, confirms from LIST, and stops using", () =>
  Effect.gen(function* () {
    const { daemon, hub, hookLog, layer, server } = yield* lab
    yield* Effect.gen(function* () {
      expect(yield* ensureHub(hub)).toBe(true)
      expect(yield* ensureHub(hub.toUpperCase())).toBe(false)
      expect((yield* waitForDevice("benchhub.112", hub, "5 seconds"))._tag).toBe("Free")
      yield* bindDevice("BENCHHUB.112", "s3cret-One_time", "5 seconds")
      expect(server.listDevices().find((d) => d.address === 112)?.boundTo?.clientId).toBe("Ann Lee (ann)")
      expect(hookLog()).toContain(`Ann Lee (ann)|${md5("s3cret-One_time")}`)
      expect(daemon.commandLog.filter((line) => line.startsWith("MANUAL HUB ADD"))).toHaveLength(1)
      // binding what is already ours sends no second USE
      yield* bindDevice("benchhub.112", "s3cret-One_time", "5 seconds")
      expect(daemon.commandLog.filter((line) => line.startsWith("USE,"))).toHaveLength(1)
      expect(yield* unbindDevice("benchhub.112")).toBe(true)
      expect(server.listDevices().find((d) => d.address === 112)?.boundTo).toBeNull()
      expect(yield* unbindDevice("benchhub.112")).toBe(true)
    }).pipe(Effect.provide(layer))
  })
)

it.scopedLive("fails when the slave refuses the bind, and names another client holding the device", () =>
  Effect.gen(function* () {
    const { hub, layer, other } = yield* lab
    yield* Effect.gen(function* () {
      yield* ensureHub(hub)
      yield* waitForDevice("benchhub.113", hub, "5 seconds")
      const refused = yield* Effect.flip(bindDevice("benchhub.113", "wrong-password", "3 seconds"))
      expect(refused).toMatchObject({ _tag: "VhProblem" })
      expect(refused.message).toContain("did not bind benchhub.113")
      yield* Effect.promise(() => other.execute("USE,benchhub.113"))
      const held = yield* Effect.flip(bindDevice("benchhub.113", "right", "3 seconds"))
      expect(held).toMatchObject({ _tag: "HeldElsewhere", clientId: "Rogue (rogue)" })
    }).pipe(Effect.provide(layer))
  })
)

it.scopedLive("fails with the not-running line when no client answers", () =>
  Effect.gen(function* () {
    const { daemon, layer } = yield* lab
    yield* Effect.promise(() => daemon.stopListening())
    const error = yield* Effect.flip(ensureHub("127.0.0.1:7575").pipe(Effect.provide(layer)))
    expect(error.message).toContain("VirtualHere client is not running")
  })
)

const listing = (status: string) =>
  Either.getOrThrow(
    parseListReply(
      [
        "VirtualHere Client IPC, below are the available devices:",
        "(Value in brackets = address, * = Auto-Use)",
        "",
        "benchhub (127.0.0.1:7575)",
        `   --> FT232R USB UART (benchhub.112)${status}`,
        "",
        "Auto-Find currently on",
        "Auto-Use All currently off",
        "Reverse Lookup currently off",
        "Reverse SSL Lookup currently off",
        "VirtualHere Client is running as a service",
        ""
      ].join("\n")
    )
  )

it.effect("trusts LIST over the USE answer: a plain FAILED that still bound counts as bound", () =>
  Effect.gen(function* () {
    let bound = false
    const list = (): VhListReply => listing(bound ? " (In-use by you)" : "")
    const stub = Layer.succeed(
      VhClient,
      VhClient.make({
        list: () => Effect.succeed(list()),
        use: () =>
          Effect.sync(() => {
            bound = true
          }).pipe(Effect.zipRight(Effect.fail(new VhCommandFailed({ command: "USE,benchhub.112", reason: "FAILED" })))),
        state: () => Effect.die("unused"),
        stopUsing: () => Effect.void,
        stopUsingAllLocal: () => Effect.void,
        addHub: () => Effect.void,
        removeHub: () => Effect.void,
        listHubs: () => Effect.succeed([]),
        deviceInfo: () => Effect.die("unused"),
        serverInfo: () => Effect.die("unused"),
        renameDevice: () => Effect.void,
        autoUseDevice: () => Effect.void,
        autoUseHub: () => Effect.void,
        autoUseAll: () => Effect.void,
        autoUseClearAll: () => Effect.void
      })
    )
    yield* bindDevice("benchhub.112", null, "2 seconds").pipe(Effect.provide(stub))
    expect(bound).toBe(true)
    expect(printListReply(list())).toContain("In-use by you")
    expect(bindingIn(listing(" (In-use by: Bob Smith (bob) at 10.0.0.9)"), "benchhub.112")).toEqual({ _tag: "Other", clientId: "Bob Smith (bob)" })
    expect(bindingIn(listing(""), "benchhub.999")).toEqual({ _tag: "Absent" })
  })
)
