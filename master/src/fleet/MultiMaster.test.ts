import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { type LiveEvent, NcodApi } from "@ncod/core"
import { tlsHttpClientLayer } from "@ncod/core/node"
import { scopedServerDatabase, serverUrl } from "@ncod/sql/testing"
import { HttpApiClient, HttpClientRequest } from "@effect/platform"
import { Effect } from "effect"
import * as path from "node:path"
import { ACCOUNT_ROW_TTL_MS } from "../auth/AccountCache.js"
import { demoReported, makeReport } from "../testing/FleetFixtures.js"
import { collectLiveEvents } from "../testing/LiveEvents.js"
import { makeTestMaster, type TestMasterInfo } from "../testing/TestMaster.js"

const url = serverUrl()

const clientOf = (master: TestMasterInfo, token?: string) =>
  HttpApiClient.make(NcodApi, {
    baseUrl: master.url,
    ...(token ? { transformClient: HttpClient.mapRequest(HttpClientRequest.bearerToken(token)) } : {})
  }).pipe(Effect.provide(tlsHttpClientLayer(master.ca)))

const adminToken = (master: TestMasterInfo) =>
  Effect.flatMap(clientOf(master), (api) =>
    Effect.map(api.auth.login({ payload: { username: master.admin.username, password: master.admin.password, audience: "admin" } }), (t) => t.accessToken)
  )

const scrape = (master: TestMasterInfo, name: string) =>
  Effect.gen(function* () {
    const http = yield* HttpClient.HttpClient.pipe(Effect.provide(tlsHttpClientLayer(master.ca)))
    const text = yield* Effect.flatMap(http.get(`${master.url}/metrics`), (response) => response.text)
    const line = text.split("\n").find((l) => l.startsWith(name))
    return line ? Number(line.split(" ").pop()) : 0
  }).pipe(Effect.provide(tlsHttpClientLayer(master.ca)))

/** Two masters on one database and one Redis, as behind a load balancer. */
const twoMasters = (settings: Record<string, string>) =>
  Effect.gen(function* () {
    const database = yield* scopedServerDatabase(url!)
    const shared = { DATABASE_URL: database.url, NCOD_REDIS_PREFIX: `ncod-mm-${Date.now()}:`, ...settings }
    const first = yield* makeTestMaster(shared)
    const second = yield* makeTestMaster({ ...shared, NCOD_KEYS_DIR: path.join(first.dataDir, "keys") })
    return { first, second, database }
  })

/** The first master's admin, and a slave enrolled through it under `name`. */
const adminAndSlave = (master: TestMasterInfo, name: string) =>
  Effect.gen(function* () {
    const admin = yield* Effect.flatMap(adminToken(master), (token) => clientOf(master, token))
    const issued = yield* admin.adminFleet.createEnrollmentToken({ payload: { label: name, maxUses: 1, expiresInHours: 1 } })
    const enrollment = yield* Effect.flatMap(clientOf(master), (anonymous) =>
      anonymous.slaveAgent.enroll({ payload: { token: issued.token, name, host: name, vhPort: 7575, fingerprint: `fp-${name}-xxxx`, agentVersion: "t", labels: {} } })
    )
    return { admin, enrollment }
  })

describe.runIf(url)("several masters on one database", () => {
  it.scopedLive(
    "agree on a slave's inventory whichever master takes each report",
    () =>
      Effect.gen(function* () {
        const { first, second } = yield* twoMasters({ NCOD_REPORT_INTERVAL_SECONDS: "30" })
        const { admin, enrollment } = yield* adminAndSlave(first, "mm-1")
        const viaFirst = yield* clientOf(first, enrollment.credential)
        const viaSecond = yield* clientOf(second, enrollment.credential)
        const devices = demoReported(21, 3, "mm-1")
        const report = (client: typeof viaFirst, seq: number, list: typeof devices) =>
          client.slaveAgent.report({ path: { id: enrollment.slaveId }, payload: makeReport(seq, "mm-1", list) })
        expect((yield* report(viaFirst, 1, devices)).outcome).toBe("changed")
        expect((yield* report(viaSecond, 2, devices.slice(1))).outcome).toBe("changed")
        // the first master still believes the old inventory: its heartbeat is refused and it resyncs
        expect((yield* report(viaFirst, 3, devices)).outcome).toBe("unchanged")
        yield* Effect.sleep("1500 millis")
        const listed = yield* admin.inventory.devices({ urlParams: { slaveId: enrollment.slaveId, limit: 10 } })
        expect(listed.items.map((view) => view.device.state)).toEqual(["available", "available", "available"])
        expect((yield* report(viaSecond, 3, devices)).outcome).toBe("duplicate")
      }),
    60_000
  )

  it.scopedLive(
    "take a silent slave offline exactly once, and every subscriber on every master hears it once",
    () =>
      Effect.gen(function* () {
        const { first, second } = yield* twoMasters({ NCOD_REPORT_INTERVAL_SECONDS: "1", NCOD_OFFLINE_AFTER_MISSED: "2" })
        const tokenFirst = yield* adminToken(first)
        const tokenSecond = yield* adminToken(second)
        const admin = yield* clientOf(first, tokenFirst)
        const issued = yield* admin.adminFleet.createEnrollmentToken({ payload: { label: "mm", maxUses: 1, expiresInHours: 1 } })
        const enrollment = yield* Effect.flatMap(clientOf(second), (api) =>
          api.slaveAgent.enroll({ payload: { token: issued.token, name: "mm-2", host: "mm-2", vhPort: 7575, fingerprint: "fp-mm-2-xxxx", agentVersion: "t", labels: {} } })
        )
        // both sweepers only start judging after one offline period of their own uptime
        yield* Effect.sleep("2200 millis")
        const onFirst = yield* collectLiveEvents(first, tokenFirst)
        const onSecond = yield* collectLiveEvents(second, tokenSecond)
        const slave = yield* clientOf(second, enrollment.credential)
        yield* slave.slaveAgent.report({ path: { id: enrollment.slaveId }, payload: makeReport(1, "mm-2", demoReported(22, 2, "mm-2")) })
        yield* Effect.sleep("4000 millis")
        const offline = (events: ReadonlyArray<LiveEvent>) =>
          events.filter((e) => e._tag === "SlaveStatusChanged" && e.slaveId === enrollment.slaveId && e.status === "offline").length
        expect(offline(onFirst.events)).toBe(1)
        expect(offline(onSecond.events)).toBe(1)
        const transitions = (yield* scrape(first, 'ncod_slave_transitions_total{to="offline"}')) + (yield* scrape(second, 'ncod_slave_transitions_total{to="offline"}'))
        expect(transitions).toBe(1)
        const detail = yield* admin.inventory.devices({ urlParams: { slaveId: enrollment.slaveId } })
        for (const view of detail.items) {
          const events = yield* admin.inventory.device({ path: { id: view.device.id } })
          expect(events.events.filter((event) => event.kind === "offline")).toHaveLength(1)
        }
      }),
    60_000
  )

  it.scopedLive(
    "rebuild actors from the database after a restart and give slaves a grace period before judging them",
    () =>
      Effect.gen(function* () {
        const database = yield* scopedServerDatabase(url!)
        const settings = { DATABASE_URL: database.url, NCOD_REPORT_INTERVAL_SECONDS: "1", NCOD_OFFLINE_AFTER_MISSED: "2" }
        const before = yield* Effect.scoped(
          Effect.gen(function* () {
            const master = yield* makeTestMaster(settings)
            const admin = yield* Effect.flatMap(adminToken(master), (token) => clientOf(master, token))
            const issued = yield* admin.adminFleet.createEnrollmentToken({ payload: { label: "restart", maxUses: 1, expiresInHours: 1 } })
            const enrollment = yield* Effect.flatMap(clientOf(master), (api) =>
              api.slaveAgent.enroll({ payload: { token: issued.token, name: "rs-1", host: "rs-1", vhPort: 7575, fingerprint: "fp-rs-1-xxxx", agentVersion: "t", labels: {} } })
            )
            const slave = yield* clientOf(master, enrollment.credential)
            yield* slave.slaveAgent.report({ path: { id: enrollment.slaveId }, payload: makeReport(7, "rs-1", demoReported(23, 2, "rs-1")) })
            return { enrollment, keysDir: path.join(master.dataDir, "keys") }
          })
        )
        // the master was away longer than the offline period; the slave kept silent meanwhile
        yield* Effect.sleep("2500 millis")
        const restarted = yield* makeTestMaster({ ...settings, NCOD_KEYS_DIR: before.keysDir })
        const admin = yield* Effect.flatMap(adminToken(restarted), (token) => clientOf(restarted, token))
        yield* Effect.sleep("1000 millis")
        expect((yield* admin.inventory.slave({ path: { id: before.enrollment.slaveId } })).slave.status).toBe("online")
        const slave = yield* clientOf(restarted, before.enrollment.credential)
        expect((yield* slave.slaveAgent.report({ path: { id: before.enrollment.slaveId }, payload: makeReport(7, "rs-1", demoReported(23, 2, "rs-1")) })).outcome).toBe("duplicate")
        expect((yield* slave.slaveAgent.report({ path: { id: before.enrollment.slaveId }, payload: makeReport(8, "rs-1", demoReported(23, 2, "rs-1")) })).outcome).toBe("unchanged")
      }),
    60_000
  )

  it.scopedLive(
    "refuse at once, on every master, the reports of a slave decommissioned on one of them, and take them again after re-admission",
    () =>
      Effect.gen(function* () {
        const { first, second } = yield* twoMasters({ NCOD_REPORT_INTERVAL_SECONDS: "30" })
        const { admin, enrollment } = yield* adminAndSlave(first, "mm-d")
        const viaSecond = yield* clientOf(second, enrollment.credential)
        const devices = demoReported(23, 2, "mm-d")
        const report = (seq: number) => viaSecond.slaveAgent.report({ path: { id: enrollment.slaveId }, payload: makeReport(seq, "mm-d", devices) })
        // the second master now remembers the credential and the inventory
        expect((yield* report(1)).outcome).toBe("changed")
        expect((yield* report(2)).outcome).toBe("unchanged")

        yield* admin.adminFleet.decommissionSlave({ path: { id: enrollment.slaveId } })
        let refused = yield* Effect.either(report(3))
        for (let tries = 0; refused._tag === "Right" && tries < 20; tries++) {
          yield* Effect.sleep("100 millis")
          refused = yield* Effect.either(report(4 + tries))
        }
        expect(refused._tag === "Left" ? (refused.left as { _tag?: string })._tag : "accepted").toBe("SlaveDecommissioned")

        yield* admin.adminFleet.readmitSlave({ path: { id: enrollment.slaveId } })
        let taken = yield* Effect.either(report(100))
        for (let tries = 0; taken._tag === "Left" && tries < 20; tries++) {
          yield* Effect.sleep("100 millis")
          taken = yield* Effect.either(report(101 + tries))
        }
        expect(taken._tag).toBe("Right")
      }),
    60_000
  )

  it.scopedLive(
    "refuse on every master, well within the account cache's lifetime, the tokens a password change on one of them revoked",
    () =>
      Effect.gen(function* () {
        const { first, second } = yield* twoMasters({})
        const token = yield* adminToken(first)
        const onSecond = yield* clientOf(second, token)
        // the second master now remembers the account row this token was checked against
        expect((yield* onSecond.me.profile()).user.username).toBe(first.admin.username)
        expect((yield* onSecond.me.profile()).user.username).toBe(first.admin.username)

        const onFirst = yield* clientOf(first, token)
        yield* onFirst.me.changePassword({ payload: { currentPassword: first.admin.password, newPassword: `${first.admin.password}-next` } })
        const startedAt = Date.now()
        let answer = yield* Effect.either(onSecond.me.profile())
        while (answer._tag === "Right" && Date.now() - startedAt < ACCOUNT_ROW_TTL_MS) {
          yield* Effect.sleep("50 millis")
          answer = yield* Effect.either(onSecond.me.profile())
        }
        expect(answer._tag === "Left" ? (answer.left as { _tag?: string })._tag : "accepted").toBe("Unauthenticated")
        // the change travels over Redis: it is seen long before the row would have expired anyway
        expect(Date.now() - startedAt).toBeLessThan(ACCOUNT_ROW_TTL_MS / 5)
      }),
    60_000
  )
})
if (!url) console.warn("[not run] several masters on one database: DATABASE_URL is not set (the embedded database serves one master)")
