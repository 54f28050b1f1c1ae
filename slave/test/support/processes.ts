import { type ChildProcess, spawn } from "node:child_process"
import * as net from "node:net"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")

export interface CliResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs a repository launcher (`master/bin/ncod-master.js`, `slave/bin/ncod-slave.js`) to completion. */
export const runProgram = (launcher: string, args: ReadonlyArray<string>, env: Record<string, string>, input?: string) =>
  new Promise<CliResult>((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, launcher), ...args], { cwd: repoRoot, env: baseEnv(env), stdio: ["pipe", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += String(chunk)))
    child.stderr.on("data", (chunk) => (stderr += String(chunk)))
    child.stdin.end(input ?? "")
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

/** Only what a program needs from this environment: no stray NCOD_* or DATABASE_URL leaks in. */
export const baseEnv = (env: Record<string, string>): Record<string, string> => ({
  PATH: process.env["PATH"] ?? "/usr/bin:/bin",
  HOME: process.env["HOME"] ?? "/tmp",
  ...env
})

export const spawnProgram = (launcher: string, args: ReadonlyArray<string>, env: Record<string, string>): ChildProcess =>
  spawn(process.execPath, [path.join(repoRoot, launcher), ...args], { cwd: repoRoot, env: baseEnv(env), stdio: ["ignore", "pipe", "pipe"] })

/** Stops a child with SIGTERM (SIGKILL after `graceMs`) and resolves when it has exited. */
export const stopProcess = (child: ChildProcess, graceMs = 10_000) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs)
    child.once("exit", () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill("SIGTERM")
  })

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `check` until it returns a value (not undefined); rejects with `what` after `timeoutMs`. */
export const eventually = async <A>(what: string, check: () => Promise<A | undefined> | A | undefined, timeoutMs = 10_000, everyMs = 25): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const value = await check()
      if (value !== undefined) return value
    } catch (error) {
      lastError = error
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${lastError ? ` (last error: ${String(lastError)})` : ""}`)
    await sleep(everyMs)
  }
}
