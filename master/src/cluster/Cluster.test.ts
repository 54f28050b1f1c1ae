import { describe, expect, it } from "@effect/vitest"
import { scopedServerDatabase, scopedTempDir, serverUrl } from "@ncod/sql/testing"
import { Effect } from "effect"
import { type ChildProcess, execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as https from "node:https"
import * as path from "node:path"
import { runMaster, spawnMaster, waitForOutput } from "../testing/MasterProcess.js"

const databaseServer = serverUrl()
const redisUrl = process.env["REDIS_URL"]

/** A GET on a connection of its own, so Node's round robin hands each request to the next worker. */
const get = (url: string, ca: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    https
      .get(url, { ca, agent: false }, (response) => {
        let body = ""
        response.on("data", (chunk) => (body += String(chunk)))
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }))
      })
      .on("error", reject)
  })

const sampleOf = (metrics: string, line: string) => {
  const found = metrics.split("\n").find((l) => l.startsWith(line))
  return found === undefined ? undefined : Number(found.split(" ").pop())
}

const healthzCount = 'ncod_http_request_duration_seconds_count{route="/healthz",method="GET",status="200"}'

/** The worker processes the primary has forked (tsx's esbuild helper is not one). */
const workersOf = (primary: ChildProcess) => {
  let children = ""
  try {
    children = execFileSync("pgrep", ["-P", String(primary.pid)], { encoding: "utf8" })
  } catch {
    return [] // pgrep exits 1 when there are none
  }
  return children
    .split("\n")
    .filter((line) => line !== "")
    .map(Number)
    .filter((pid) => fs.existsSync(`/proc/${pid}`) && fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("bin.ts"))
}

const until = async <A>(what: string, probe: () => A | undefined | Promise<A | undefined>, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

describe.runIf(databaseServer && redisUrl)("ncod-master with NCOD_WORKERS=2", () => {
  it.scopedLive(
    "serves from two processes, reports metrics of both, replaces a killed worker, and stops every worker on SIGTERM",
    () =>
      Effect.gen(function* () {
        const database = yield* scopedServerDatabase(databaseServer!)
        const dataDir = yield* scopedTempDir("ncod-cluster-")
        const child = spawnMaster(["serve", "--dev"], {
          NCOD_WORKERS: "2",
          NCOD_HOST: "127.0.0.1",
          NCOD_PORT: "0",
          NCOD_DATA_DIR: dataDir,
          NCOD_DEMO: "false",
          NCOD_BCRYPT_COST: "10",
          DATABASE_URL: database.url,
          REDIS_URL: redisUrl!,
          NCOD_REDIS_PREFIX: `ncod-cluster-${Date.now()}:`
        })
        yield* Effect.addFinalizer(() => Effect.sync(() => child.kill("SIGKILL")))
        let output = ""
        child.stdout?.on("data", (chunk) => (output += String(chunk)))
        child.stderr?.on("data", (chunk) => (output += String(chunk)))

        const banner = yield* Effect.promise(() => waitForOutput(child, /running at https:\/\/127\.0\.0\.1:\d+[^]*?2 worker processes/, 120_000))
        const url = /https:\/\/127\.0\.0\.1:\d+/.exec(banner)![0]
        const ca = fs.readFileSync(path.join(dataDir, "keys", "ca.crt"), "utf8")
        // the first admin is made once, by worker 0, and shown once
        expect(output.match(/first admin: admin/g)).toHaveLength(1)
        const workers = workersOf(child)
        expect(workers).toHaveLength(2)

        // 20 requests on 20 connections are split between the workers; /metrics must count all 20
        for (let i = 0; i < 20; i++) expect((yield* Effect.promise(() => get(`${url}/healthz`, ca))).status).toBe(200)
        const metrics = yield* Effect.promise(() => get(`${url}/metrics`, ca))
        expect(metrics.status).toBe(200)
        expect(sampleOf(metrics.body, healthzCount)).toBe(20)
        expect(sampleOf(metrics.body, "ncod_worker_restarts_total")).toBe(0)
        // a database count is read by each worker but not added up
        expect(sampleOf(metrics.body, 'ncod_users{status="approved"}')).toBe(1)

        process.kill(workers[0]!, "SIGKILL")
        const replaced = yield* Effect.promise(() =>
          until("a replacement worker", () => {
            const now = workersOf(child)
            return now.length === 2 && !now.includes(workers[0]!) ? now : undefined
          }, 60_000)
        )
        expect(replaced).toContain(workers[1])
        // the survivor serves throughout; once the replacement serves, the restart is counted
        const restarted = yield* Effect.promise(() =>
          until("the restart in /metrics", async () => {
            const { body, status } = await get(`${url}/metrics`, ca)
            return status === 200 && sampleOf(body, "ncod_worker_restarts_total") === 1 && /master worker restarted/.test(output) ? body : undefined
          }, 60_000)
        )
        expect(restarted).toContain("ncod_worker_restarts_total 1")
        expect(output).toMatch(/"msg":"master worker exited".*"signal":"SIGKILL"/)

        const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
        child.kill("SIGTERM")
        expect(yield* Effect.promise(() => exited), output.slice(-3000)).toBe(0)
        for (const pid of replaced) expect(fs.existsSync(`/proc/${pid}`)).toBe(false)
      }),
    240_000
  )

  it("refuses to start workers without Redis, in one line", async () => {
    const result = await runMaster(["serve"], { NCOD_WORKERS: "2", DATABASE_URL: databaseServer!, NCOD_DATA_DIR: "/tmp/ncod-cluster-none" })
    expect(result.code).not.toBe(0)
    const lines = result.stderr.trim().split("\n")
    expect(lines).toEqual(["ncod-master: NCOD_WORKERS=2 needs DATABASE_URL and REDIS_URL: the workers share the database, caches, lockouts and live events through them"])
  })
})
