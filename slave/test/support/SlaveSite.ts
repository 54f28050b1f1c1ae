import { buildClientAuthorizationCommandLine } from "@ncod/core"
import { SimClientDaemon, type SimUsbDeviceSpec, SimUsbServer } from "@ncod/core/vh-sim"
import { scopedTempDir } from "@ncod/sql/testing"
import { Effect } from "effect"
import { build } from "esbuild"
import type { ChildProcess } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { eventually, repoRoot, runProgram, spawnProgram, stopProcess } from "./processes.js"

const slaveLauncher = "slave/bin/ncod-slave.js"

export const ftdi: SimUsbDeviceSpec = { vendorId: "0403", productId: "6001", product: "FT232R USB UART", manufacturer: "FTDI", serial: "A50285BI", busPath: "1-1.2", speed: "12" }
export const dongle: SimUsbDeviceSpec = { vendorId: "064f", productId: "2af9", product: "WIBU-BOX/U", manufacturer: "WIBU-SYSTEMS AG", serial: "2-1234567", busPath: "1-1.3" }
export const noSerial: SimUsbDeviceSpec = { vendorId: "067b", productId: "2303", product: "USB-Serial Controller", manufacturer: "Prolific", busPath: "1-1.4" }
export const unicode: SimUsbDeviceSpec = { vendorId: "1a2b", productId: "3c4d", product: "温度传感器 🌡", manufacturer: "Ünïcødé", serial: "Ñ-001", busPath: "2-1" }

/**
 * The hook as production runs it: compiled to plain JavaScript (the launcher in a development
 * checkout goes through tsx, which costs a few hundred ms per bind). Built once per test file.
 */
const bundledHook = (dir: string) =>
  Effect.promise(async () => {
    const outfile = path.join(dir, "ncod-slave-hook.mjs")
    await build({ entryPoints: [path.join(repoRoot, "slave/src/hook-bin.ts")], bundle: true, platform: "node", format: "esm", target: "node20", outfile, logLevel: "silent" })
    return outfile
  })

export interface AgentLine {
  readonly at: number
  readonly json: Record<string, unknown>
}

export interface RunningAgent {
  readonly lines: ReadonlyArray<AgentLine>
  readonly stderr: () => string
  readonly waitFor: (what: string, predicate: (line: AgentLine) => boolean, timeoutMs?: number) => Promise<AgentLine>
  readonly stop: () => Promise<void>
  readonly alive: () => boolean
}

export interface SlaveSiteOptions {
  readonly name: string
  readonly licensed?: boolean
  readonly devices?: ReadonlyArray<SimUsbDeviceSpec>
  /** Extra agent environment (intervals…). */
  readonly env?: Record<string, string>
}

/**
 * One slave machine for integration tests: a simulated vhusbd (licensed, with the hook and the
 * event hooks configured as install.sh does), the VirtualHere client daemon the agent reads
 * through, a fake sysfs tree, and the agent's own directories. `cli` runs `ncod-slave …`,
 * `startAgent` runs `ncod-slave run` as a process and collects its JSON log lines.
 */
export const slaveSite = (options: SlaveSiteOptions) =>
  Effect.gen(function* () {
    const dir = yield* scopedTempDir(`ncod-slave-it-${options.name}-`)
    const hook = yield* bundledHook(dir)
    const socketPath = path.join(dir, "agent.sock")
    const sysfsDir = path.join(dir, "sys")
    fs.mkdirSync(sysfsDir)
    const hookLine = (args: ReadonlyArray<string>) => buildClientAuthorizationCommandLine(process.execPath, [hook, "--socket", socketPath, ...args])
    const eventLine = (event: string) =>
      `${process.execPath} ${hook} --socket ${socketPath} event ${event} --address "$ADDRESS$" --vendor-id "$VENDOR_ID$" --product-id "$PRODUCT_ID$" --devpath "$DEVPATH$"`
    const server = yield* Effect.acquireRelease(
      Effect.promise(() =>
        SimUsbServer.start({
          name: options.name,
          hostname: options.name,
          licensed: options.licensed ?? true,
          clientAuthorization: hookLine([]),
          eventHooks: { onEnumeration: eventLine("onEnumeration"), onBind: eventLine("onBind"), onUnbind: eventLine("onUnbind") },
          sysfsDir,
          devices: options.devices ?? [ftdi, dongle]
        })
      ),
      (s) => Effect.promise(() => s.stop())
    )
    const commandPipe = path.join(dir, "vhclient")
    const responsePipe = path.join(dir, "vhclient_response")
    const daemon = yield* Effect.acquireRelease(
      Effect.promise(() =>
        SimClientDaemon.start({ fullName: "", username: "ncod-slave", hostname: options.name, commandPipe, responsePipe, hubs: [`127.0.0.1:${server.port}`], reconnectMillis: 100 })
      ),
      (d) => Effect.promise(() => d.stop())
    )
    const env: Record<string, string> = {
      NCOD_SLAVE_CONFIG_DIR: path.join(dir, "etc"),
      NCOD_SLAVE_STATE_DIR: path.join(dir, "var"),
      NCOD_SLAVE_SOCKET: socketPath,
      NCOD_SLAVE_MACHINE_ID_FILE: path.join(dir, "no-machine-id"),
      NCOD_SLAVE_SYSFS_DIR: sysfsDir,
      NCOD_SLAVE_VHCLIENT_COMMAND_PIPE: commandPipe,
      NCOD_SLAVE_VHCLIENT_RESPONSE_PIPE: responsePipe,
      NCOD_SLAVE_VHCLIENT_TIMEOUT_SECONDS: "2",
      NCOD_SLAVE_VHUSBD_PORT: String(server.port),
      NCOD_SLAVE_VHUSBD_CONFIG: "",
      NCOD_SLAVE_SCAN_INTERVAL_SECONDS: "1",
      NCOD_SLAVE_WATCH_INTERVAL_SECONDS: "0.5",
      NCOD_SLAVE_BACKOFF_BASE_SECONDS: "0.25",
      NCOD_SLAVE_BACKOFF_CAP_SECONDS: "2",
      NCOD_LOG_LEVEL: "debug",
      ...options.env
    }

    const agents: Array<ChildProcess> = []
    const logs: Array<Array<AgentLine>> = []
    yield* Effect.addFinalizer((exit) =>
      Effect.promise(async () => {
        await Promise.all(agents.map((child) => stopProcess(child)))
        // a failed test shows what the agent said
        if (exit._tag === "Failure") {
          for (const [i, lines] of logs.entries()) {
            console.log(`--- agent ${i + 1} of ${options.name}:\n${lines.slice(-300).map((line) => JSON.stringify(line.json)).join("\n")}`)
          }
        }
      })
    )

    const startAgent = (): RunningAgent => {
      const child = spawnProgram(slaveLauncher, ["run"], env)
      agents.push(child)
      const lines: Array<AgentLine> = []
      logs.push(lines)
      let stderr = ""
      let partial = ""
      child.stdout?.on("data", (chunk) => {
        partial += String(chunk)
        let newline: number
        while ((newline = partial.indexOf("\n")) >= 0) {
          const text = partial.slice(0, newline)
          partial = partial.slice(newline + 1)
          try {
            lines.push({ at: Date.now(), json: JSON.parse(text) as Record<string, unknown> })
          } catch {
            lines.push({ at: Date.now(), json: { msg: text, level: "unparsed" } })
          }
        }
      })
      child.stderr?.on("data", (chunk) => (stderr += String(chunk)))
      return {
        lines,
        stderr: () => stderr,
        waitFor: (what, predicate, timeoutMs = 20_000) =>
          eventually(`agent log "${what}"${child.exitCode !== null ? ` (agent exited ${child.exitCode}: ${stderr})` : ""}`, () => lines.find(predicate), timeoutMs),
        stop: () => stopProcess(child),
        alive: () => child.exitCode === null && child.signalCode === null
      }
    }

    return {
      dir,
      server,
      daemon,
      env,
      socketPath,
      configDir: env["NCOD_SLAVE_CONFIG_DIR"]!,
      /** `ncod-slave <args>` as a person runs it (info level: a failure is one line). */
      cli: (args: ReadonlyArray<string>, input?: string) => runProgram(slaveLauncher, args, { ...env, NCOD_LOG_LEVEL: "info" }, input),
      startAgent
    }
  })

export type SlaveSite = Effect.Effect.Success<ReturnType<typeof slaveSite>>
