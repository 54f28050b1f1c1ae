/**
 * The end-to-end world (issue 7): every real part together, built from the two existing
 * harnesses without changing either.
 *
 * - From the slave's integration harness (`slave/test/support/`, test-only code, never shipped):
 *   the real master as its own process on a throwaway PostgreSQL database (`masterProcess`), the
 *   admin's enrollment token, and a slave site — a simulated, licensed vhusbd whose
 *   ClientAuthorization is the real `ncod-slave-hook`, the VirtualHere client daemon the agent
 *   reads through, and the real `ncod-slave run` agent process with its JSON log.
 * - From the client's harness (`./harness.ts`): users with their own `NCOD_CLIENT_HOME`, their own
 *   simulated client daemon and FIFOs, `ncod` run as a real process, `loginApproved`, the cuttable
 *   TCP proxy, `leasesOf`, `deviceIdFor`, `boundTo`.
 *
 * The client harness reads its world from the `ClientWorld` tag; this file provides that tag from
 * the slave harness's parts (the adapter), plus an `E2E` tag for what only this world has: the
 * agent, the site, and a second cuttable proxy on the VirtualHere path between the users' client
 * daemons and vhusbd (the slave is enrolled with that proxy's port, so the hub the master hands
 * out goes through it, while the agent's own client daemon talks to vhusbd directly).
 */
import { type SlaveId } from "@ncod/core"
import { tlsHttpClientLayer } from "@ncod/core/node"
import { scopedTempDir } from "@ncod/sql/testing"
import { Context, Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
// test-only support code of the slave's integration suites (not part of any package)
import { adminApi, enrollmentToken, masterProcess, type MasterProcess } from "../../slave/test/support/MasterProcess.js"
import { dongle, ftdi, noSerial, type RunningAgent, type SlaveSite, slaveSite } from "../../slave/test/support/SlaveSite.js"
import { ClientWorld, type ClientWorldShape, CuttableProxy, loginApproved, makeUser, type TestUser } from "./harness.js"

export interface E2EWorldShape {
  readonly master: MasterProcess
  readonly site: SlaveSite
  /** The running `ncod-slave run` process of the site, with its log lines. */
  readonly agent: RunningAgent
  readonly slaveId: SlaveId
  readonly slaveName: string
  /** Between the users' VirtualHere client daemons and vhusbd: the hub every lease names. */
  readonly vhProxy: CuttableProxy
  /** `host:port` of that hub, as the master hands it out. */
  readonly hub: string
  /** Between the users' `ncod` and the master (the client harness's proxy). */
  readonly masterProxy: CuttableProxy
  readonly keepAliveSeconds: number
  readonly graceSeconds: number
  /** Two approved users, signed in on their own approved (simulated) PCs. */
  readonly ann: TestUser
  readonly bob: TestUser
}

export class E2E extends Context.Tag("@ncod/client/test/E2E")<E2E, E2EWorldShape>() {}

export interface E2EOptions {
  /** The master's lease keep-alive interval: a silent client's lease is suspended after 2× this. */
  readonly keepAliveSeconds: number
  /** How long a suspended lease of a silent client is kept before the master ends it. */
  readonly graceSeconds: number
}

const unsupported = (what: string) => () => {
  throw new Error(`${what} belongs to the client suite's fake slave; the end-to-end world runs the real agent and hook`)
}

export const e2eWorldLayer = (options: E2EOptions) =>
  Layer.scopedContext(
    Effect.gen(function* () {
      const dir = yield* scopedTempDir("ncod-e2e-")
      const master = yield* masterProcess({
        NCOD_LEASE_KEEPALIVE_SECONDS: String(options.keepAliveSeconds),
        NCOD_LEASE_GRACE_SECONDS: String(options.graceSeconds),
        NCOD_OFFLINE_AFTER_MISSED: "3",
        NCOD_LOGIN_MAX_FAILURES: "100",
        ...(process.env["REDIS_URL"] ? { REDIS_URL: process.env["REDIS_URL"], NCOD_REDIS_PREFIX: `ncod-e2e-${path.basename(dir)}:` } : {})
      })
      const admin = yield* adminApi(master).pipe(Effect.orDie)

      // the users' org unit
      const org = yield* admin.adminOrgUnits.create({ payload: { kind: "organization", parentId: null, name: "E2E Org", nameEn: null } }).pipe(Effect.orDie)
      const company = yield* admin.adminOrgUnits.create({ payload: { kind: "company", parentId: org.id, name: "E2E Co", nameEn: null } }).pipe(Effect.orDie)
      const department = yield* admin.adminOrgUnits
        .create({ payload: { kind: "project_department", parentId: company.id, name: "E2E Lab", nameEn: null } })
        .pipe(Effect.orDie)

      // the slave: simulated licensed vhusbd + the real hook + the real agent
      const slaveName = "lab-e2e"
      const site = yield* slaveSite({ name: slaveName, licensed: true, devices: [ftdi, dongle, noSerial] })
      const vhProxy = yield* Effect.acquireRelease(Effect.promise(() => CuttableProxy.start(site.server.port)), (p) => Effect.promise(() => p.cut()))
      const issued = yield* enrollmentToken(master, `for ${slaveName}`).pipe(Effect.orDie)
      const enrolled = yield* Effect.promise(() =>
        site.cli(["enroll", "--master", master.url, "--token", issued.token, "--ca-file", master.caFile, "--name", slaveName, "--host", "127.0.0.1", "--vh-port", String(vhProxy.port)])
      )
      if (enrolled.code !== 0) return yield* Effect.die(new Error(`ncod-slave enroll failed (${enrolled.code}): ${enrolled.stderr}${enrolled.stdout}`))
      const slaveId = (JSON.parse(fs.readFileSync(path.join(site.configDir, "enrollment.json"), "utf8")) as { slaveId: SlaveId }).slaveId
      const agent = site.startAgent()
      yield* Effect.promise(() => agent.waitFor("grants link up", (line) => line.json["msg"] === "grants link to the master up"))
      yield* Effect.promise(() => agent.waitFor("first report", (line) => line.json["msg"] === "report sent"))
      // licensed vhusbd calling the hook: the master knows the slave as enforced
      const view = yield* admin.inventory.slave({ path: { id: slaveId } }).pipe(Effect.orDie)
      if (view.slave.accessMode !== "enforced" || view.slave.status !== "online") {
        return yield* Effect.die(new Error(`the slave should be online and enforced: ${JSON.stringify(view.slave)}`))
      }

      // the slave's devices, granted to the users' department
      yield* admin.adminFleet
        .createGrant({ payload: { target: { _tag: "slave", slaveId }, subject: { _tag: "orgUnit", orgUnitId: department.id } } })
        .pipe(Effect.orDie)

      const masterProxy = yield* Effect.acquireRelease(Effect.promise(() => CuttableProxy.start(master.port)), (p) => Effect.promise(() => p.cut()))
      const world: ClientWorldShape & Context.Tag.Service<typeof ClientWorld> = {
        dir,
        masterUrl: master.url,
        proxyUrl: `https://127.0.0.1:${masterProxy.port}`,
        proxy: masterProxy,
        ca: master.ca,
        caFile: master.caFile,
        server: site.server,
        slaveId,
        departmentId: department.id,
        admin,
        http: tlsHttpClientLayer(master.ca),
        // the real agent reports by itself, and the real hook decides: the fake slave's knobs do not exist here
        reportNow: Effect.dieMessage("reportNow: the real agent reports by itself"),
        get slaveLink(): never {
          return unsupported("slaveLink")()
        },
        hookCalls: unsupported("hookCalls"),
        denyBinds: unsupported("denyBinds"),
        pauseReports: unsupported("pauseReports")
      }

      const user = (username: string, fullName: string) =>
        Effect.gen(function* () {
          const person = yield* makeUser(username, fullName)
          yield* loginApproved(person)
          return person
        }).pipe(Effect.provideService(ClientWorld, world))
      const ann = yield* user("ann", "Ann Lee")
      const bob = yield* user("bob", "Bob Roe")

      const e2e: E2EWorldShape = {
        master,
        site,
        agent,
        slaveId,
        slaveName,
        vhProxy,
        hub: `127.0.0.1:${vhProxy.port}`,
        masterProxy,
        keepAliveSeconds: options.keepAliveSeconds,
        graceSeconds: options.graceSeconds,
        ann,
        bob
      }
      return Context.make(ClientWorld, world).pipe(Context.add(E2E, e2e))
    })
  )

/** The agent's hook decisions (one log line each) since `since` (ms), optionally for one client id. */
export const hookDecisions = (agent: RunningAgent, since = 0, clientId?: string) =>
  agent.lines
    .filter((line) => line.at >= since && (line.json["msg"] === "hook allowed a bind" || line.json["msg"] === "hook denied a bind"))
    .filter((line) => clientId === undefined || line.json["clientId"] === clientId)
    .map((line) => ({
      at: line.at,
      allow: line.json["allow"] as boolean,
      reason: line.json["reason"] as string,
      clientId: line.json["clientId"] as string,
      leaseId: (line.json["leaseId"] ?? null) as string | null,
      busPath: (line.json["busPath"] ?? null) as string | null
    }))
