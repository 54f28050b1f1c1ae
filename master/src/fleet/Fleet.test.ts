import { HttpClient, HttpClientRequest } from "@effect/platform"
import { expect, layer } from "@effect/vitest"
import { liveEventsClient } from "@ncod/core/node"
import { Effect, Layer, Stream } from "effect"
import { gunzipSync } from "node:zlib"
import { adminApi, apiClient, demoReported, enrollSlave, makeReport } from "../testing/FleetFixtures.js"
import { collectLiveEvents } from "../testing/LiveEvents.js"
import { rawGet, TestMaster, testHttpClientLayer, testMasterLayer } from "../testing/TestMaster.js"

const Fleet = Layer.provideMerge(testHttpClientLayer, testMasterLayer({ NCOD_REPORT_INTERVAL_SECONDS: "1", NCOD_OFFLINE_AFTER_MISSED: "2" }))

const deviceStates = (slaveId: string) =>
  Effect.gen(function* () {
    const admin = yield* adminApi
    const page = yield* admin.inventory.devices({ urlParams: { slaveId: slaveId as never, limit: 100 } })
    return page.items.map((view) => view.device.state).sort()
  })

layer(Fleet, { timeout: 120_000, excludeTestServices: true })("the master's fleet", (it) => {
  it.effect("takes in a new slave's first report and lists its devices", () =>
    Effect.gen(function* () {
      const slave = yield* enrollSlave("lab-a")
      const devices = demoReported(1, 4, "lab-a")
      const ack = yield* slave.client.slaveAgent.report({ path: { id: slave.slaveId }, payload: makeReport(1, "lab-a", devices) })
      expect(ack.outcome).toBe("changed")
      expect(ack.nextReportInSeconds).toBeGreaterThanOrEqual(0.9)
      expect(ack.nextReportInSeconds).toBeLessThanOrEqual(1.1)
      const admin = yield* adminApi
      const listed = yield* admin.inventory.devices({ urlParams: { slaveId: slave.slaveId, limit: 100 } })
      expect(listed.items.map((view) => view.device.serial).sort()).toEqual(devices.map((d) => d.serial).sort())
      expect(listed.items.every((view) => view.slaveName === "lab-a" && view.slaveStatus === "online")).toBe(true)
      const slaves = yield* admin.inventory.slaves()
      expect(slaves.find((summary) => summary.slave.id === slave.slaveId)?.devices.available).toBe(4)
    })
  )

  it.effect("ignores a repeated or older sequence number and writes no device rows for an unchanged report", () =>
    Effect.gen(function* () {
      const slave = yield* enrollSlave("lab-b")
      const devices = demoReported(2, 3, "lab-b")
      const send = (seq: number) => slave.client.slaveAgent.report({ path: { id: slave.slaveId }, payload: makeReport(seq, "lab-b", devices) })
      expect((yield* send(5)).outcome).toBe("changed")
      expect((yield* send(5)).outcome).toBe("duplicate")
      expect((yield* send(4)).outcome).toBe("stale")
      const admin = yield* adminApi
      const before = (yield* admin.inventory.devices({ urlParams: { slaveId: slave.slaveId } })).items.map((v) => v.device)
      expect((yield* send(6)).outcome).toBe("unchanged")
      expect((yield* send(7)).outcome).toBe("unchanged")
      const after = (yield* admin.inventory.devices({ urlParams: { slaveId: slave.slaveId } })).items.map((v) => v.device)
      expect(after.map((d) => d.lastSeenAt)).toEqual(before.map((d) => d.lastSeenAt))
      const detail = yield* admin.inventory.device({ path: { id: after[0]!.id } })
      expect(detail.events.map((event) => event.kind)).toEqual(["added"])
      expect(detail.events[0]!.details).toEqual({ vhAddress: after[0]!.vhAddress })
      expect(detail.events[0]!.slaveId).toBe(slave.slaveId)
    })
  )

  it.effect("records an unplugged device as removed and a re-plugged one as returned", () =>
    Effect.gen(function* () {
      const slave = yield* enrollSlave("lab-c")
      const devices = demoReported(3, 3, "lab-c")
      const send = (seq: number, list: typeof devices) =>
        slave.client.slaveAgent.report({ path: { id: slave.slaveId }, payload: makeReport(seq, "lab-c", list) })
      yield* send(1, devices)
      yield* send(2, devices.slice(1))
      const admin = yield* adminApi
      const removed = yield* admin.inventory.devices({ urlParams: { slaveId: slave.slaveId, state: "removed" } })
      expect(removed.items.map((view) => view.device.serial)).toEqual([devices[0]!.serial])
      yield* send(3, devices)
      const detail = yield* admin.inventory.device({ path: { id: removed.items[0]!.device.id } })
      expect(detail.view.device.state).toBe("available")
      expect(detail.events.map((event) => event.kind)).toEqual(["returned", "removed", "added"])
    })
  )

  it.effect("marks a silent slave and its devices offline after the configured intervals, and back online with its next report", () =>
    Effect.gen(function* () {
      const slave = yield* enrollSlave("lab-d")
      const devices = demoReported(4, 2, "lab-d")
      yield* slave.client.slaveAgent.report({ path: { id: slave.slaveId }, payload: makeReport(1, "lab-d", devices) })
      yield* Effect.sleep("3500 millis")
      const admin = yield* adminApi
      const offline = yield* admin.inventory.slave({ path: { id: slave.slaveId } })
      expect(offline.slave.status).toBe("offline")
      expect(yield* deviceStates(slave.slaveId)).toEqual(["offline", "offline"])
      const ack = yield* slave.client.slaveAgent.report({ path: { id: slave.slaveId }, payload: makeReport(2, "lab-d", devices) })
      expect(ack.outcome).toBe("changed")
      expect((yield* admin.inventory.slave({ path: { id: slave.slaveId } })).slave.status).toBe("online")
      expect(yield* deviceStates(slave.slaveId)).toEqual(["available", "available"])
    })
  )

  it.effect("keeps a slave's identity when it enrolls again from the same machine", () =>
    Effect.gen(function* () {
      const first = yield* enrollSlave("lab-e", "fp-same-machine")
      const second = yield* enrollSlave("lab-e-renamed", "fp-same-machine")
      expect(second.slaveId).toBe(first.slaveId)
      const old = yield* Effect.flip(first.client.slaveAgent.report({ path: { id: first.slaveId }, payload: makeReport(1, "lab-e", []) }))
      expect(old._tag).toBe("Unauthenticated")
      expect((yield* second.client.slaveAgent.report({ path: { id: second.slaveId }, payload: makeReport(1, "lab-e", []) })).outcome).toBe("changed")
    })
  )

  it.effect("refuses reports of a decommissioned slave with 410 until it is re-admitted", () =>
    Effect.gen(function* () {
      const slave = yield* enrollSlave("lab-f")
      const admin = yield* adminApi
      yield* admin.adminFleet.decommissionSlave({ path: { id: slave.slaveId } })
      const refused = yield* Effect.flip(slave.client.slaveAgent.report({ path: { id: slave.slaveId }, payload: makeReport(1, "lab-f", []) }))
      expect(refused._tag).toBe("SlaveDecommissioned")
      yield* admin.adminFleet.readmitSlave({ path: { id: slave.slaveId } })
      expect((yield* slave.client.slaveAgent.report({ path: { id: slave.slaveId }, payload: makeReport(2, "lab-f", []) })).outcome).toBe("changed")
    })
  )

  it.effect("rejects oversized and malformed reports with a precise error and changes nothing", () =>
    Effect.gen(function* () {
      const slave = yield* enrollSlave("lab-g")
      const master = yield* TestMaster
      const http = yield* HttpClient.HttpClient
      const post = (body: unknown) =>
        http.execute(
          HttpClientRequest.post(`${master.url}/api/v1/slaves/${slave.slaveId}/reports`).pipe(
            HttpClientRequest.bearerToken(slave.credential),
            HttpClientRequest.bodyUnsafeJson(body)
          )
        )
      const tooMany = yield* post(makeReport(1, "lab-g", Array.from({ length: 257 }, (_, n) => ({ ...demoReported(7, 1, "lab-g")[0]!, serial: `S${n}` }))))
      expect(tooMany.status).toBe(400)
      expect(yield* tooMany.json).toMatchObject({ code: "VALIDATION_FAILED", issues: [expect.objectContaining({ path: ["devices"] })] })
      const malformed = yield* post({ ...makeReport(1, "lab-g", []), devices: [{ vhAddress: "x\ny", vendorId: "zzzz" }] })
      expect(malformed.status).toBe(400)
      const extra = yield* post({ ...makeReport(1, "lab-g", []), slaveId: "someone-else" })
      expect(extra.status).toBe(400)
      expect(yield* deviceStates(slave.slaveId)).toEqual([])
      const admin = yield* adminApi
      expect((yield* admin.inventory.slave({ path: { id: slave.slaveId } })).slave.lastReportSeq).toBe(0)
    })
  )

  it.effect("takes the slave's id from its credential: another slave's id or a forged credential is refused", () =>
    Effect.gen(function* () {
      const one = yield* enrollSlave("lab-h")
      const two = yield* enrollSlave("lab-i")
      const wrongPath = yield* Effect.flip(one.client.slaveAgent.report({ path: { id: two.slaveId }, payload: makeReport(1, "lab-h", []) }))
      expect(wrongPath._tag).toBe("Forbidden")
      const forged = yield* apiClient(`${two.slaveId}.not-the-secret`)
      const refused = yield* Effect.flip(forged.slaveAgent.report({ path: { id: two.slaveId }, payload: makeReport(1, "lab-i", []) }))
      expect(refused._tag).toBe("Unauthenticated")
    })
  )

  it.effect("shows a user only the devices granted to them or their org unit", () =>
    Effect.gen(function* () {
      const admin = yield* adminApi
      const master = yield* TestMaster
      const slave = yield* enrollSlave("lab-j")
      yield* slave.client.slaveAgent.report({ path: { id: slave.slaveId }, payload: makeReport(1, "lab-j", demoReported(9, 3, "lab-j")) })
      const org = yield* admin.adminOrgUnits.create({ payload: { kind: "organization", parentId: null, name: "Grants Org", nameEn: null } })
      const company = yield* admin.adminOrgUnits.create({ payload: { kind: "company", parentId: org.id, name: "Grants Co", nameEn: null } })
      const dept = yield* admin.adminOrgUnits.create({ payload: { kind: "project_department", parentId: company.id, name: "Grants Dept", nameEn: null } })
      const anonymous = yield* apiClient()
      const user = yield* anonymous.auth.register({ payload: { username: "grant.viewer", displayName: "Viewer", email: "viewer@example.com", phone: null, password: "a long enough pass phrase", orgUnitId: dept.id } })
      yield* admin.adminUsers.approve({ path: { id: user.id } })
      const tokens = yield* anonymous.auth.login({ payload: { username: "grant.viewer", password: "a long enough pass phrase", audience: "portal" } })
      const viewer = yield* apiClient(tokens.accessToken)
      expect((yield* viewer.inventory.devices({ urlParams: {} })).items).toEqual([])
      yield* admin.adminFleet.createGrant({ payload: { target: { _tag: "slave", slaveId: slave.slaveId }, subject: { _tag: "orgUnit", orgUnitId: company.id } } })
      const visible = yield* viewer.inventory.devices({ urlParams: {} })
      expect(visible.items.map((view) => view.slaveName)).toEqual(["lab-j", "lab-j", "lab-j"])
      expect((yield* viewer.inventory.slaves()).map((summary) => summary.slave.name)).toEqual(["lab-j"])
      void master
    })
  )

  it.effect("serves cached lists with an ETag, answers 304 while they are unchanged and a new page after a change", () =>
    Effect.gen(function* () {
      const master = yield* TestMaster
      const anonymous = yield* apiClient()
      const tokens = yield* anonymous.auth.login({ payload: { username: master.admin.username, password: master.admin.password, audience: "admin" } })
      const auth = { authorization: `Bearer ${tokens.accessToken}` }
      const slave = yield* enrollSlave("lab-e")
      yield* slave.client.slaveAgent.report({ path: { id: slave.slaveId }, payload: makeReport(1, "lab-e", demoReported(11, 2, "lab-e")) })
      const path = `/api/v1/devices?slaveId=${slave.slaveId}`
      const first = yield* rawGet(path, auth)
      expect(first.status).toBe(200)
      expect(first.headers["content-type"]).toContain("application/json")
      const etag = first.headers["etag"]
      expect(etag).toMatch(/^W\/"[\w-]+"$/)
      expect(first.headers["cache-control"]).toBe("no-store")
      const page = (yield* first.json) as { items: Array<{ device: { state: string } }> }
      expect(page.items.map((view) => view.device.state)).toEqual(["available", "available"])
      // the cached body is what the typed client decodes
      const typed = yield* (yield* apiClient(tokens.accessToken)).inventory.devices({ urlParams: { slaveId: slave.slaveId } })
      expect(typed.items).toHaveLength(2)

      const zipped = yield* rawGet(path, { ...auth, "accept-encoding": "br;q=1, gzip;q=0.8" })
      expect(zipped.headers["content-encoding"]).toBe("gzip")
      expect(zipped.headers["etag"]).toBe(etag)
      expect(JSON.parse(gunzipSync(new Uint8Array(yield* zipped.arrayBuffer)).toString("utf8"))).toEqual(page)
      expect((yield* rawGet(path, { ...auth, "accept-encoding": "gzip;q=0, identity" })).headers["content-encoding"]).toBeUndefined()

      const again = yield* rawGet(path, auth)
      expect(again.headers["etag"]).toBe(etag)
      const unchanged = yield* rawGet(path, { ...auth, "if-none-match": `"other", ${etag!.slice(2)}` })
      expect(unchanged.status).toBe(304)
      expect(yield* unchanged.text).toBe("")
      expect((yield* rawGet(path, { ...auth, "if-none-match": `"other"` })).status).toBe(200)
      // an ETag is no key: without a token there is still nothing to see
      expect((yield* rawGet(path, { "if-none-match": etag! })).status).toBe(401)

      yield* slave.client.slaveAgent.report({ path: { id: slave.slaveId }, payload: makeReport(2, "lab-e", demoReported(11, 1, "lab-e")) })
      let changed = yield* rawGet(path, { ...auth, "if-none-match": etag! })
      for (let tries = 0; changed.status === 304 && tries < 50; tries++) {
        yield* Effect.sleep("100 millis")
        changed = yield* rawGet(path, { ...auth, "if-none-match": etag! })
      }
      expect(changed.status).toBe(200)
      expect(changed.headers["etag"]).not.toBe(etag)
      const states = ((yield* changed.json) as typeof page).items.map((view) => view.device.state).sort()
      expect(states).toEqual(["available"])

      const slaves = yield* rawGet("/api/v1/slaves", auth)
      expect(slaves.status).toBe(200)
      expect((yield* rawGet("/api/v1/slaves", { ...auth, "if-none-match": slaves.headers["etag"]! })).status).toBe(304)
    })
  )

  it.effect("exports the fleet's metrics in the Prometheus format", () =>
    Effect.gen(function* () {
      const response = yield* rawGet("/metrics")
      expect(response.status).toBe(200)
      const text = yield* response.text
      for (const name of ["ncod_reports_ingested_total", "ncod_report_ingest_duration_seconds_bucket", "ncod_slaves", "ncod_devices", "ncod_http_request_duration_seconds_bucket", "ncod_db_pool_connections", "ncod_database_up 1"]) {
        expect(text).toContain(name)
      }
      expect(text).toMatch(/ncod_reports_ingested_total\{outcome="changed"\} [1-9]/)
    })
  )
})

layer(Fleet, { timeout: 120_000, excludeTestServices: true })("live fleet events", (it) => {
  it.scoped("reach an admin's subscription over the WebSocket RPC as slaves come online and devices come and go", () =>
    Effect.gen(function* () {
      const master = yield* TestMaster
      const anonymous = yield* apiClient()
      const tokens = yield* anonymous.auth.login({ payload: { username: master.admin.username, password: master.admin.password, audience: "admin" } })
      const live = yield* collectLiveEvents(master, tokens.accessToken)
      const slave = yield* enrollSlave("lab-live")
      const devices = demoReported(11, 2, "lab-live")
      yield* slave.client.slaveAgent.report({ path: { id: slave.slaveId }, payload: makeReport(1, "lab-live", devices) })
      yield* slave.client.slaveAgent.report({ path: { id: slave.slaveId }, payload: makeReport(2, "lab-live", devices.slice(1)) })
      yield* Effect.sleep("500 millis")
      const mine = live.events.filter((event) =>
        "slaveId" in event ? event.slaveId === slave.slaveId : "device" in event ? event.device.slaveId === slave.slaveId : false
      )
      expect(mine.map((event) => event._tag)).toEqual(["SlaveStatusChanged", "SlaveStatusChanged", "DeviceAdded", "DeviceAdded", "DeviceRemoved"])
    })
  )

  it.scoped("refuses a subscription with an invalid token", () =>
    Effect.gen(function* () {
      const master = yield* TestMaster
      const client = yield* liveEventsClient(master.url, master.ca)
      const failure = yield* client.SubscribeEvents({ accessToken: "not-a-token" }).pipe(Stream.runDrain, Effect.flip)
      expect(failure._tag).toBe("Unauthenticated")
    })
  )
})
