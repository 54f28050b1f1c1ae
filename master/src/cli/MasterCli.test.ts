import { afterAll, describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as https from "node:https"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { runMaster, spawnMaster, waitForOutput } from "../testing/MasterProcess.js"

const temp = fs.mkdtempSync(path.join(os.tmpdir(), "ncod-cli-"))
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }))

const expectOneLineFailure = (result: { code: number | null; stderr: string }, pattern: RegExp) => {
  expect(result.code).not.toBe(0)
  const lines = result.stderr.trim().split("\n")
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatch(pattern)
  expect(result.stderr).not.toMatch(/\s+at .+:\d+:\d+/)
}

const getStatus = (url: string, ca: string) =>
  new Promise<number>((resolve, reject) => {
    https.get(url, { ca }, (response) => {
      response.resume()
      resolve(response.statusCode ?? 0)
    }).on("error", reject)
  })

describe("ncod-master refuses bad configuration with one clear line", () => {
  it("names a malformed DATABASE_URL", async () => {
    const result = await runMaster(["serve"], { DATABASE_URL: "mysql://db/x", NCOD_DATA_DIR: temp })
    expectOneLineFailure(result, /^ncod-master: DATABASE_URL is not a valid PostgreSQL URL/)
  })

  it("names a missing certificate and how to make one", async () => {
    const result = await runMaster(["serve"], { NCOD_TLS_CERT: path.join(temp, "none.crt"), NCOD_DATA_DIR: temp })
    expectOneLineFailure(result, /TLS certificate .*none\.crt does not exist: run `npm run keys`/)
  })

  it("names every invalid setting at once", async () => {
    const result = await runMaster(["serve"], { NCOD_PORT: "eighty", NCOD_BCRYPT_COST: "4", NCOD_DATA_DIR: temp })
    expectOneLineFailure(result, /invalid configuration: .*NCOD_PORT.*NCOD_BCRYPT_COST|invalid configuration: .*NCOD_BCRYPT_COST.*NCOD_PORT/)
  })

  it("says the port is in use", async () => {
    const blocker = net.createServer()
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve))
    const port = (blocker.address() as net.AddressInfo).port
    try {
      const result = await runMaster(["serve", "--dev"], {
        NCOD_HOST: "127.0.0.1",
        NCOD_PORT: String(port),
        NCOD_DATA_DIR: path.join(temp, "busy"),
        NCOD_BCRYPT_COST: "10"
      })
      expectOneLineFailure(result, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`))
    } finally {
      blocker.close()
    }
  }, 180_000)
})

describe("ncod-master serve --dev on a machine without PostgreSQL", () => {
  it("creates keys, migrates the embedded database, prints a first admin, answers /healthz, and stops cleanly on SIGTERM", async () => {
    const dataDir = path.join(temp, "dev")
    const child = spawnMaster(["serve", "--dev"], {
      NCOD_HOST: "127.0.0.1",
      NCOD_PORT: "0",
      NCOD_DATA_DIR: dataDir,
      NCOD_BCRYPT_COST: "10"
    })
    let output = ""
    child.stdout?.on("data", (chunk) => (output += String(chunk)))
    child.stderr?.on("data", (chunk) => (output += String(chunk)))
    // how fast it starts is a bench figure (docs/performance.md), not something to time here
    // the banner is one write: its first-admin line and its URL arrive in the same chunk
    const banner = await waitForOutput(child, /ncod master is running at https:\/\/127\.0\.0\.1:\d+[^]*?first admin: admin \/ \S+/, 120_000)
    const url = /https:\/\/127\.0\.0\.1:\d+/.exec(banner)![0]
    expect(banner).toMatch(/first admin: admin \/ [A-Za-z0-9_-]{24}/)
    const ca = fs.readFileSync(path.join(dataDir, "keys", "ca.crt"), "utf8")
    expect(await getStatus(`${url}/healthz`, ca), output).toBe(200)
    expect(fs.statSync(path.join(dataDir, "keys", "server.key")).mode & 0o777).toBe(0o600)

    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    child.kill("SIGTERM")
    expect(await exited, output.slice(-3000)).toBe(0)
    expect(fs.existsSync(path.join(dataDir, "pgdata.lock"))).toBe(false)
  }, 180_000)
})
