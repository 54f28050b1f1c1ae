import { type ChildProcess, spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))
const repoRoot = path.resolve(here, "../../..")
const binSource = path.resolve(here, "../bin.ts")

export interface CliResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Starts `ncod-master <args>` from source as its own process, the way `npm start` does. */
export const spawnMaster = (args: ReadonlyArray<string>, env: Record<string, string>): ChildProcess =>
  spawn(process.execPath, ["--conditions=@ncod/source", "--import", "tsx", binSource, ...args], {
    cwd: repoRoot,
    env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp", ...env },
    stdio: ["pipe", "pipe", "pipe"]
  })

/** Runs `ncod-master <args>` to completion and collects its output. */
export const runMaster = (args: ReadonlyArray<string>, env: Record<string, string>, input?: string) =>
  new Promise<CliResult>((resolve) => {
    const child = spawnMaster(args, env)
    let stdout = ""
    let stderr = ""
    child.stdout?.on("data", (chunk) => (stdout += String(chunk)))
    child.stderr?.on("data", (chunk) => (stderr += String(chunk)))
    if (input !== undefined) child.stdin?.end(input)
    else child.stdin?.end()
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

/** Resolves with the first stdout text matching `pattern`, or rejects after `timeoutMs`. */
export const waitForOutput = (child: ChildProcess, pattern: RegExp, timeoutMs: number) =>
  new Promise<string>((resolve, reject) => {
    let seen = ""
    const timer = setTimeout(() => reject(new Error(`no output matching ${pattern} within ${timeoutMs} ms:\n${seen}`)), timeoutMs)
    const onData = (chunk: unknown) => {
      seen += String(chunk)
      const match = seen.match(pattern)
      if (match) {
        clearTimeout(timer)
        resolve(match[0])
      }
    }
    child.stdout?.on("data", onData)
    child.stderr?.on("data", onData)
    child.on("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`exited with ${code} before printing ${pattern}:\n${seen}`))
    })
  })
