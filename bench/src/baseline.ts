/** Starts and stops the bare Node server of baseline-server.ts as its own process. */
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { onInterrupt } from "./cleanup.js"

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "baseline-server.ts")

export interface Baseline {
  readonly url: string
  readonly pid: number
  stop(): Promise<void>
}

/**
 * `tls`: the master's keys directory, so the bare server pays the same handshakes; `getBody`: bytes
 * to answer GETs with, gzipped (once) when `gzip` is set.
 */
export const startBaseline = async (options: { keysDir: string | undefined; getBody?: string; gzip?: boolean }): Promise<Baseline> => {
  const env: Record<string, string> = { PATH: process.env["PATH"] ?? "" }
  let bodyFile: string | undefined
  if (options.keysDir !== undefined) {
    env["BASELINE_CERT"] = path.join(options.keysDir, "server.crt")
    env["BASELINE_KEY"] = path.join(options.keysDir, "server.key")
  }
  if (options.getBody !== undefined) {
    bodyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ncod-baseline-")), "body.json")
    fs.writeFileSync(bodyFile, options.getBody)
    env["BASELINE_GET_BODY"] = bodyFile
  }
  if (options.gzip === true) env["BASELINE_GET_GZIP"] = "1"
  const child: ChildProcess = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), script], { env, stdio: ["ignore", "pipe", "inherit"] })
  const port = await new Promise<number>((resolve, reject) => {
    let seen = ""
    child.stdout!.on("data", (chunk) => {
      seen += String(chunk)
      const match = /listening (\d+)/.exec(seen)
      if (match) resolve(Number(match[1]))
    })
    child.on("exit", (code) => reject(new Error(`the baseline server exited with ${code}`)))
  })
  const stop = () =>
    new Promise<void>((resolve) => {
      forget()
      if (bodyFile) fs.rmSync(path.dirname(bodyFile), { recursive: true, force: true })
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      child.once("exit", () => resolve())
      child.kill("SIGTERM")
    })
  const forget = onInterrupt(stop)
  return { url: `${options.keysDir === undefined ? "http" : "https"}://127.0.0.1:${port}`, pid: child.pid!, stop }
}
