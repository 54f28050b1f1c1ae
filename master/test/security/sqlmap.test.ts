/**
 * Runs deploy/security/sqlmap.sh against a test master with a seeded, approved user, so CI can
 * run Debian's sqlmap on every submission. Without sqlmap installed it prints a [not run] line,
 * except under CI, where a missing sqlmap is a failure.
 */
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { TestMaster } from "../../src/testing/TestMaster.js"
import { approvedUser, expectLogsFreeOfSecrets, masterLayer, orgTree } from "../fixtures.js"

const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../deploy/security/sqlmap.sh")
const installed = spawnSync("sh", ["-c", "command -v sqlmap"]).status === 0
const inCi = Boolean(process.env["CI"])

if (!installed && !inCi) console.log("[not run] sqlmap scan: sqlmap is not installed (apt-get install -y sqlmap)")

/** Runs the script without blocking the event loop (the master answers from this process). */
const runScript = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.async<{ code: number; output: string }>((resume) => {
    const child = spawn("bash", [script, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
    child.on("close", (code) => resume(Effect.succeed({ code: code ?? -1, output })))
    return Effect.sync(() => void child.kill("SIGTERM"))
  })

layer(
  // the scan must not be throttled: every limit at its highest
  masterLayer({ NCOD_LOGIN_MAX_FAILURES: "100", NCOD_LOGIN_IP_MAX_FAILURES: "10000", NCOD_REGISTRATIONS_PER_HOUR: "10000" }),
  { timeout: 120_000, excludeTestServices: true }
)("sqlmap against sign-in and registration", (it) => {
  it.effect.runIf(installed || inCi)("finds nothing injectable in login and registration", () =>
    Effect.gen(function* () {
      expect(installed, "sqlmap is not installed: apt-get install -y sqlmap").toBe(true)
      const master = yield* TestMaster
      const tree = yield* orgTree
      const account = yield* approvedUser()
      const out = fs.mkdtempSync(path.join(os.tmpdir(), "ncod-sqlmap-"))
      const caFile = path.join(out, "ca.pem")
      fs.writeFileSync(caFile, master.ca)
      const started = Date.now()
      const { code, output } = yield* runScript([master.url, account.session.accessToken], {
        NCOD_SQLMAP_USERNAME: account.username,
        NCOD_SQLMAP_PASSWORD: account.password,
        NCOD_SQLMAP_ORG_UNIT: tree.departmentId,
        NCOD_SQLMAP_CA: caFile,
        NCOD_SQLMAP_OUT: out
      })
      console.log(`${output.trim()}\n(${Math.round((Date.now() - started) / 1000)} s)`)
      expect(code, output.slice(-3000)).toBe(0)
      expect(output).toContain("no injectable parameter")
      // the scan's passwords and token must not have reached the log either
      expectLogsFreeOfSecrets(master.logs)
      fs.rmSync(out, { recursive: true, force: true })
    }),
    240_000
  )
})
