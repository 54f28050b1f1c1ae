import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs/promises"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath, pathToFileURL } from "node:url"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect, Either, Schedule } from "effect"
import { applyManagedServerSettings, parseServerConfigIni, printServerConfigIni } from "../vh/index.js"
import { VhClient } from "../vh-node/VhClient.js"
import { vhCorpus } from "../vh/fixtures/corpus.js"

/**
 * The simulator as separate processes, the way the end-to-end tests and benches will run it: the
 * server beside a slave agent (configured through config.ini), the client daemon beside a user's
 * CLI, and the `ncod-vh` command as people use it.
 */
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href
const source = (relative: string) => fileURLToPath(new URL(relative, import.meta.url))
const launcher = (name: string) => fileURLToPath(new URL(`../../bin/${name}.js`, import.meta.url))

const children: Array<ChildProcessWithoutNullStreams> = []
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGTERM")
})

const start = (script: string, args: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, ["--conditions=@ncod/source", "--import", tsx, source(script), ...args])
  children.push(child)
  const lines: Array<Record<string, unknown>> = []
  createInterface({ input: child.stdout }).on("line", (line) => lines.push(JSON.parse(line) as Record<string, unknown>))
  const waitFor = async (event: string) => {
    const deadline = Date.now() + 20_000
    for (;;) {
      const found = lines.find((line) => line["event"] === event)
      if (found) return found
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${script} did not report ${event}`)
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
  }
  return { child, lines, waitFor }
}

describe("the simulator run as processes", () => {
  it("serves a client daemon in another process from a vhusbd config.ini, with hot-plug over stdin", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "vhsim-proc-"))
    const config = path.join(dir, "config.ini")
    const ini = Either.getOrThrow(
      applyManagedServerSettings(parseServerConfigIni("[General]\nLicense=keep-me\n"), {
        serverName: "Bench Hub",
        eventHooks: { onBind: `touch ${path.join(dir, "bound-$ADDRESS$")}` }
      })
    )
    // The config holds no TCPPort: `--port 0` lets the OS pick a free one for the test.
    await fs.writeFile(config, printServerConfigIni(ini))
    const server = start("./bin/vhusbd-sim.ts", ["-c", config, "--port", "0", "--hostname", "benchhub", "--device", JSON.stringify({ vendorId: "0403", productId: "6001", product: "FT232R USB UART", busPath: "1-1.2" })])
    const ready = await server.waitFor("ready")
    expect(ready).toMatchObject({ name: "Bench Hub", hostname: "benchhub" })
    const commandPipe = path.join(dir, "vhclient")
    const responsePipe = path.join(dir, "vhclient_response")
    const daemon = start("./bin/vhclient-sim.ts", ["-n", "--username", "ann", "--full-name", "Ann Lee", "--hostname", "ANN-PC", "--command-pipe", commandPipe, "--response-pipe", responsePipe, "--hub", `127.0.0.1:${String(ready["port"])}`])
    await daemon.waitFor("ready")

    const client = VhClient.layerFifo({ commandPipe, responsePipe, timeout: "3 seconds" })
    const run = <A, E>(effect: Effect.Effect<A, E, VhClient>) => Effect.runPromise(Effect.provide(effect, client))
    const hubs = await run(
      Effect.flatMap(VhClient, (c) => c.list()).pipe(
        Effect.filterOrFail((list) => list.hubs.length === 1),
        Effect.retry(Schedule.spaced("100 millis").pipe(Schedule.intersect(Schedule.recurs(100))))
      )
    )
    expect(hubs.hubs[0]).toMatchObject({ name: "Bench Hub", host: "benchhub" })
    await run(Effect.flatMap(VhClient, (c) => c.use("benchhub.112")))
    await fs.stat(path.join(dir, "bound-112"))

    server.child.stdin.write(`${JSON.stringify({ op: "plug", device: { vendorId: "064f", productId: "2af9", product: "WIBU-BOX/U", busPath: "1-1.3" } })}\n`)
    const withTwo = await run(
      Effect.flatMap(VhClient, (c) => c.list()).pipe(
        Effect.filterOrFail((list) => list.hubs[0]?.devices.length === 2),
        Effect.retry(Schedule.spaced("100 millis").pipe(Schedule.intersect(Schedule.recurs(100))))
      )
    )
    expect(withTwo.hubs[0]!.devices.map((d) => [d.address, d.status._tag])).toEqual([
      ["benchhub.112", "InUseByYou"],
      ["benchhub.113", "Free"]
    ])
    await fs.rm(dir, { recursive: true, force: true })
  }, 60_000)

  it("the -t launcher prints the real not-running text when no daemon runs", () => {
    const result = spawnSync(process.execPath, [launcher("vhclient-sim"), "-t", "LIST"], {
      env: { ...process.env, VHCLIENT_COMMAND_PIPE: "/nonexistent/vhclient", VHCLIENT_RESPONSE_PIPE: "/nonexistent/vhclient_response" },
      encoding: "utf8"
    })
    expect(result.stdout).toBe("An existing client is not running.\n")
  }, 30_000)

  it("ncod-vh parse prints the model as JSON, or one line and exit 2 when the text does not parse", () => {
    const listing = vhCorpus.find((entry) => entry.id === "vendor-docker-list")!.text
    const ok = spawnSync(process.execPath, [launcher("ncod-vh"), "parse", "list"], { input: listing, encoding: "utf8" })
    expect(ok.status).toBe(0)
    expect(JSON.parse(ok.stdout).hubs[0].devices[1].status).toEqual({ _tag: "InUseByOther", clientId: "(michael)", ip: "192.168.0.21" })
    const bad = spawnSync(process.execPath, [launcher("ncod-vh"), "parse", "device-info"], { input: "hello\n", encoding: "utf8" })
    expect(bad.status).toBe(2)
    expect(bad.stdout).toBe("")
    expect(bad.stderr.trim().split("\n")).toEqual(["ncod-vh: cannot parse the device-info reply: no ADDRESS line"])
  }, 30_000)
})
