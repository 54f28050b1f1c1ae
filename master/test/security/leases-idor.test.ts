/**
 * Object-level authorization and mass assignment on the fleet and lease routes: lease ids are
 * checked against their holder (another user's lease answers exactly like an unknown id), devices
 * against the grants (an ungranted device answers like an unknown one), slave ids against the
 * slave's own credential, admin routes against the admin-app audience, and every new payload
 * refuses unknown fields and changes nothing.
 */
import { HttpApi } from "@effect/platform"
import { expect, layer } from "@effect/vitest"
import { NcodApi } from "@ncod/core"
import { Effect } from "effect"
import { randomBytes, randomUUID } from "node:crypto"
import { collectLiveEvents } from "../../src/testing/LiveEvents.js"
import { TestMaster } from "../../src/testing/TestMaster.js"
import {
  adminSession,
  approvedMachine,
  asAdmin,
  call,
  clientLoginReply,
  expectError,
  expectLogsFreeOfSecrets,
  type Json,
  login,
  masterLayer,
  obj,
  type Reply,
  sleepMs
} from "../fixtures.js"
import {
  clientMember,
  devicesOf,
  enrollBody,
  enrolledSlave,
  fleetSettings,
  fleetWorld,
  getLease,
  grant,
  issueEnrollmentToken,
  leaseView,
  member,
  newDepartment,
  reportBody,
  reportingSlave,
  sampleDevices,
  takeLease
} from "../fleet.js"

/** Byte for byte the same answer: nothing tells "exists but not yours" from "does not exist". */
const sameAnswer = (theirs: Reply, nobodys: Reply, what: string) => {
  expect(theirs.status, `${what}: ${theirs.text.slice(0, 300)}`).toBe(nobodys.status)
  expect(theirs.text, what).toBe(nobodys.text)
  expect(theirs.headers["content-length"], what).toBe(nobodys.headers["content-length"])
}

const itemsOf = (reply: Reply) => {
  expect(reply.status, reply.text.slice(0, 300)).toBe(200)
  return obj(reply)["items"] as ReadonlyArray<{ device: { id: string }; holder: Json | null }>
}

/** A lease route called with a lease id; the body it needs. */
const leaseRoutes: ReadonlyArray<readonly [string, string, Json | undefined]> = [
  ["GET", "", undefined],
  ["POST", "/attach", { clientIdentity: "Intruder Example (intruder)" }],
  ["POST", "/activate", undefined],
  ["POST", "/keepalive", undefined],
  ["POST", "/renew", { minutes: 600 }],
  ["POST", "/release", {}],
  ["POST", "/release", { reason: "bind_failed" }],
  ["POST", "/decline-release", undefined]
]

const userIdOf = (token: string) => Effect.map(call("GET", "/api/v1/me", { token }), (reply) => (obj(reply)["user"] as Json)["id"] as string)

layer(masterLayer(fleetSettings), { timeout: 120_000, excludeTestServices: true })("object-level authorization and mass assignment on the fleet and the leases", (it) => {
  it.effect("answers another user's lease id exactly like an unknown one on every lease route, and leaves the lease untouched", () =>
    Effect.gen(function* () {
      const world = yield* fleetWorld(3)
      const ann = yield* clientMember(world.departmentId)
      const bob = yield* clientMember(world.departmentId)
      const zed = yield* clientMember(yield* newDepartment)
      const lease = yield* takeLease(ann.clientToken, world.devices[0]!.id, 60)
      const attached = yield* call("POST", `/api/v1/leases/${lease.lease.id}/attach`, { token: ann.clientToken, json: { clientIdentity: "Ann Example (ann)" } })
      expect(attached.status, attached.text).toBe(200)
      // a legitimate release request from a colleague, which nobody but Ann may decline
      const asked = yield* call("POST", `/api/v1/leases/${lease.lease.id}/request-release`, { token: bob.session.accessToken, json: { message: "after lunch?" } })
      expect(asked.status, asked.text).toBe(204)
      const before = yield* getLease(ann.session.accessToken, lease.lease.id)

      for (const [who, token] of [
        ["a colleague's portal token", bob.session.accessToken],
        ["a colleague's client token", bob.clientToken],
        ["an outsider's client token", zed.clientToken]
      ] as const) {
        for (const [method, suffix, json] of leaseRoutes) {
          const options = { token, ...(json === undefined ? {} : { json }) }
          const theirs = yield* call(method, `/api/v1/leases/${lease.lease.id}${suffix}`, options)
          const nobodys = yield* call(method, `/api/v1/leases/${randomUUID()}${suffix}`, options)
          expectError(theirs, 404, "NOT_FOUND")
          sameAnswer(theirs, nobodys, `${who}: ${method} …${suffix}`)
        }
        const mine = yield* call("GET", "/api/v1/leases", { token })
        expect((mine.body as ReadonlyArray<LeaseLike>).map((view) => view.lease.id)).not.toContain(lease.lease.id)
      }

      const after = yield* getLease(ann.session.accessToken, lease.lease.id)
      expect(after.lease).toEqual(before.lease)
      expect(after.lease.clientIdentity).toBe("Ann Example (ann)")
      expect(after.releaseRequest?.message).toBe("after lunch?")
      // and it is still Ann's to use
      expect((yield* call("POST", `/api/v1/leases/${lease.lease.id}/activate`, { token: ann.clientToken })).status).toBe(200)
    })
  )

  it.effect("answers an ended lease of another user like an unknown id too", () =>
    Effect.gen(function* () {
      const world = yield* fleetWorld(1)
      const ann = yield* member(world.departmentId)
      const bob = yield* member(world.departmentId)
      const lease = yield* takeLease(ann.session.accessToken, world.devices[0]!.id)
      leaseView(yield* call("POST", `/api/v1/leases/${lease.lease.id}/release`, { token: ann.session.accessToken, json: {} }))
      for (const [method, suffix, json] of leaseRoutes) {
        const options = { token: bob.session.accessToken, ...(json === undefined ? {} : { json }) }
        const theirs = yield* call(method, `/api/v1/leases/${lease.lease.id}${suffix}`, options)
        const nobodys = yield* call(method, `/api/v1/leases/${randomUUID()}${suffix}`, options)
        sameAnswer(theirs, nobodys, `${method} …${suffix} on an ended lease`)
      }
      expect((yield* getLease(ann.session.accessToken, lease.lease.id)).lease.endReason).toBe("released")
    })
  )

  it.effect("hides devices nobody granted: lists leave them out, and reading, leasing or queueing one answers like an unknown id", () =>
    Effect.gen(function* () {
      const world = yield* fleetWorld(2)
      const ann = yield* member(world.departmentId)
      // the second device is held, so queueing for it would be legitimate for someone who sees it
      yield* takeLease(ann.session.accessToken, world.devices[1]!.id)
      const zed = yield* member(yield* newDepartment)
      const token = zed.session.accessToken

      expect(itemsOf(yield* call("GET", "/api/v1/devices", { token, query: { limit: "500" } }))).toEqual([])
      expect(itemsOf(yield* call("GET", "/api/v1/devices", { token, query: { q: "FT232R", slaveId: world.slave.slaveId } }))).toEqual([])
      const slaves = yield* call("GET", "/api/v1/slaves", { token })
      expect(slaves.status).toBe(200)
      expect(slaves.body).toEqual([])
      sameAnswer(
        yield* call("GET", `/api/v1/slaves/${world.slave.slaveId}`, { token }),
        yield* call("GET", `/api/v1/slaves/${randomUUID()}`, { token }),
        "GET /slaves/:id"
      )
      for (const device of world.devices) {
        const unknown = randomUUID()
        const read = yield* call("GET", `/api/v1/devices/${device.id}`, { token })
        expectError(read, 404, "NOT_FOUND")
        sameAnswer(read, yield* call("GET", `/api/v1/devices/${unknown}`, { token }), "GET /devices/:id")
        const lease = yield* call("POST", "/api/v1/leases", { token, json: { deviceId: device.id } })
        expectError(lease, 404, "NOT_FOUND")
        sameAnswer(lease, yield* call("POST", "/api/v1/leases", { token, json: { deviceId: unknown } }), "POST /leases")
        const queue = yield* call("POST", `/api/v1/devices/${device.id}/queue`, { token })
        expectError(queue, 404, "NOT_FOUND")
        sameAnswer(queue, yield* call("POST", `/api/v1/devices/${unknown}/queue`, { token }), "POST /devices/:id/queue")
      }
      // nothing happened to the devices
      const views = itemsOf(yield* asAdmin("GET", "/api/v1/devices", { query: { slaveId: world.slave.slaveId } }))
      expect(views.find((view) => view.device.id === world.devices[0]!.id)?.holder).toBeNull()
      expect(yield* call("GET", "/api/v1/queue", { token })).toMatchObject({ status: 200, body: [] })
    })
  )

  it.effect("shows a user only the device granted to them, not its neighbours, and hides it again when the grant goes", () =>
    Effect.gen(function* () {
      const { slave, devices } = yield* reportingSlave(3)
      const cy = yield* member(yield* newDepartment)
      const token = cy.session.accessToken
      const grantId = yield* grant({ _tag: "device", deviceId: devices[0]!.id }, { _tag: "user", userId: cy.user.id })
      expect(itemsOf(yield* call("GET", "/api/v1/devices", { token, query: { slaveId: slave.slaveId } })).map((view) => view.device.id)).toEqual([devices[0]!.id])
      expect((yield* call("GET", `/api/v1/devices/${devices[0]!.id}`, { token })).status).toBe(200)
      for (const hidden of devices.slice(1)) {
        sameAnswer(yield* call("GET", `/api/v1/devices/${hidden.id}`, { token }), yield* call("GET", `/api/v1/devices/${randomUUID()}`, { token }), "a neighbour")
        sameAnswer(
          yield* call("POST", "/api/v1/leases", { token, json: { deviceId: hidden.id } }),
          yield* call("POST", "/api/v1/leases", { token, json: { deviceId: randomUUID() } }),
          "leasing a neighbour"
        )
      }
      expect((yield* asAdmin("DELETE", `/api/v1/admin/grants/${grantId}`)).status).toBe(204)
      expect(itemsOf(yield* call("GET", "/api/v1/devices", { token, query: { slaveId: slave.slaveId } }))).toEqual([])
      sameAnswer(yield* call("GET", `/api/v1/devices/${devices[0]!.id}`, { token }), yield* call("GET", `/api/v1/devices/${randomUUID()}`, { token }), "after the grant went")
      sameAnswer(
        yield* call("POST", "/api/v1/leases", { token, json: { deviceId: devices[0]!.id } }),
        yield* call("POST", "/api/v1/leases", { token, json: { deviceId: randomUUID() } }),
        "leasing after the grant went"
      )
    })
  )

  // requestRelease once looked the lease up and then failed with NotFound({ resource: "device" })
  // when the device was hidden: a different answer from an unknown id, so lease ids could be probed.
  it.effect("refuses a release request for a lease on a device the asker cannot see, answering like an unknown id", () =>
    Effect.gen(function* () {
      const world = yield* fleetWorld(1)
      const ann = yield* member(world.departmentId)
      const lease = yield* takeLease(ann.session.accessToken, world.devices[0]!.id)
      const zed = yield* member(yield* newDepartment)
      const json = { message: "give it to me" }
      const theirs = yield* call("POST", `/api/v1/leases/${lease.lease.id}/request-release`, { token: zed.session.accessToken, json })
      expect(theirs.status).toBe(404)
      expect((yield* getLease(ann.session.accessToken, lease.lease.id)).releaseRequest).toBeNull()
      sameAnswer(theirs, yield* call("POST", `/api/v1/leases/${randomUUID()}/request-release`, { token: zed.session.accessToken, json }), "request-release")
    })
  )

  // Fleet events (DeviceAdded/Changed/Removed, SlaveStatusChanged) carry the whole Device, so the
  // live stream must show a user exactly what GET /devices shows them: what their grants cover.
  it.scoped("carries over the live events no device, slave or lease the user may not see", () =>
    Effect.gen(function* () {
      const master = yield* TestMaster
      const world = yield* fleetWorld(2)
      const ann = yield* member(world.departmentId)
      const bob = yield* member(world.departmentId)
      const zed = yield* member(yield* newDepartment)
      const annEvents = yield* collectLiveEvents(master, ann.session.accessToken)
      const bobEvents = yield* collectLiveEvents(master, bob.session.accessToken)
      const zedEvents = yield* collectLiveEvents(master, zed.session.accessToken)

      // a lease, an admin's rename, a device plugged in, one pulled out (ending the lease)
      const lease = yield* takeLease(ann.session.accessToken, world.devices[0]!.id)
      expect((yield* asAdmin("PATCH", `/api/v1/admin/devices/${world.devices[1]!.id}`, { json: { nickname: "Secret prototype", tags: ["project-x"] } })).status).toBe(200)
      expect((yield* world.slave.report([...world.reported, ...sampleDevices(world.slave.serverName, 1).map((d) => ({ ...d, vhAddress: `${world.slave.serverName}.9`, busPath: "1-2" }))])).status).toBe(200)
      expect((yield* world.slave.report(world.reported.slice(1))).status).toBe(200)
      for (let waited = 0; !annEvents.events.some((e) => e._tag === "DeviceRemoved") && waited < 5_000; waited += 100) yield* sleepMs(100)
      yield* sleepMs(500)

      const about = (event: LiveEventLike) =>
        event.slaveId === world.slave.slaveId || event.device?.slaveId === world.slave.slaveId || event.leaseId === lease.lease.id || event.lease?.id === lease.lease.id
      // the control: Ann, who may see the devices, got all of it
      const annKinds = new Set(annEvents.events.filter((e) => about(e as LiveEventLike)).map((e) => e._tag))
      for (const kind of ["LeaseChanged", "DeviceChanged", "DeviceAdded", "DeviceRemoved"]) expect(annKinds, kind).toContain(kind)
      // Bob may see the devices but not Ann's lease
      expect(bobEvents.events.filter((e) => e._tag === "LeaseChanged" && e.lease.id === lease.lease.id)).toEqual([])
      // Zed may see none of it
      const leaked = zedEvents.events.filter((e) => about(e as LiveEventLike))
      expect(leaked.map((e) => `${e._tag} ${JSON.stringify(e).slice(0, 160)}`)).toEqual([])
    })
  )

  it.effect("keeps a slave to its own id: another slave's id is refused with 403, a credential mixing two slaves with 401, and nothing changes", () =>
    Effect.gen(function* () {
      const a = yield* reportingSlave(2)
      const b = yield* reportingSlave(2)
      const before = yield* devicesOf(b.slave.slaveId)
      const secretOf = (credential: string) => credential.slice(credential.indexOf(".") + 1)

      // A's credential, B's id: an empty report would remove every device of B
      const wrongId = yield* a.slave.report([], { id: b.slave.slaveId })
      expectError(wrongId, 403, "FORBIDDEN")
      expectError(yield* call("DELETE", `/api/v1/slaves/${b.slave.slaveId}`, { token: a.slave.credential }), 403, "FORBIDDEN")

      // credentials stitched from the two, or B's id with a guessed secret
      for (const [what, credential] of [
        ["B's id with A's secret", `${b.slave.slaveId}.${secretOf(a.slave.credential)}`],
        ["B's id with a random secret", `${b.slave.slaveId}.${randomBytes(32).toString("base64url")}`],
        ["B's secret alone", secretOf(b.slave.credential)],
        ["B's id alone", b.slave.slaveId],
        ["B's credential with its id in upper case", `${b.slave.slaveId.toUpperCase()}.${secretOf(b.slave.credential)}`],
        ["B's credential with a character changed", `${b.slave.credential.slice(0, -1)}${b.slave.credential.endsWith("A") ? "B" : "A"}`]
      ] as const) {
        const reply = yield* call("POST", `/api/v1/slaves/${b.slave.slaveId}/reports`, { token: credential, json: reportBody(b.slave.nextSeq(), b.slave.serverName, []) })
        expectError(reply, 401, "UNAUTHENTICATED")
        expect(reply.status, what).toBe(401)
        expectError(yield* call("DELETE", `/api/v1/slaves/${b.slave.slaveId}`, { token: credential }), 401, "UNAUTHENTICATED")
      }

      expect(yield* devicesOf(b.slave.slaveId)).toEqual(before)
      const bNow = yield* asAdmin("GET", `/api/v1/slaves/${b.slave.slaveId}`)
      expect(bNow.status).toBe(200)
      expect((obj(bNow)["slave"] as Json)["status"]).toBe("online")
      // B's own credential still works
      expect((yield* b.slave.report(b.reported)).status).toBe(200)
    })
  )

  it.effect("keeps portal and client tokens, an admin's included, and slave credentials out of every admin fleet and lease route, and changes nothing", () =>
    Effect.gen(function* () {
      const master = yield* TestMaster
      const world = yield* fleetWorld(2)
      const ann = yield* clientMember(world.departmentId)
      const lease = yield* takeLease(ann.session.accessToken, world.devices[0]!.id)
      const issued = yield* issueEnrollmentToken(1)
      const adminPortal = (yield* login(master.admin.username, master.admin.password, "portal")).accessToken
      // the admin's own approved machine and client session
      const adminId = yield* userIdOf((yield* adminSession).accessToken)
      const adminMachine = yield* approvedMachine({ username: master.admin.username, password: master.admin.password, user: { id: adminId } })
      const adminClientReply = yield* clientLoginReply({ username: master.admin.username, password: master.admin.password, macs: [adminMachine.mac], key: adminMachine.key })
      expect(adminClientReply.status, adminClientReply.text).toBe(200)
      const adminClient = obj(adminClientReply)["accessToken"] as string

      const slaveId = world.slave.slaveId
      const deviceId = world.devices[1]!.id
      const attempts: Record<string, readonly [string, string, Json?]> = {
        "adminFleet.createEnrollmentToken": ["POST", "/api/v1/admin/enrollment-tokens", { label: "sneaky", maxUses: 100 }],
        "adminFleet.enrollmentTokens": ["GET", "/api/v1/admin/enrollment-tokens"],
        "adminFleet.revokeEnrollmentToken": ["POST", `/api/v1/admin/enrollment-tokens/${issued.id}/revoke`],
        "adminFleet.updateSlave": ["PATCH", `/api/v1/admin/slaves/${slaveId}`, { name: "hijacked" }],
        "adminFleet.decommissionSlave": ["POST", `/api/v1/admin/slaves/${slaveId}/decommission`],
        "adminFleet.readmitSlave": ["POST", `/api/v1/admin/slaves/${slaveId}/readmit`],
        "adminFleet.deleteSlave": ["DELETE", `/api/v1/admin/slaves/${slaveId}`],
        "adminFleet.updateDevice": ["PATCH", `/api/v1/admin/devices/${deviceId}`, { nickname: "hijacked", tags: ["x"] }],
        "adminFleet.grants": ["GET", "/api/v1/admin/grants"],
        "adminFleet.createGrant": ["POST", "/api/v1/admin/grants", { target: { _tag: "slave", slaveId }, subject: { _tag: "user", userId: ann.user.id } }],
        "adminFleet.deleteGrant": ["DELETE", `/api/v1/admin/grants/${world.grantId}`],
        "adminLeases.usage": ["GET", "/api/v1/admin/usage"],
        "adminLeases.forceRelease": ["POST", `/api/v1/admin/leases/${lease.lease.id}/force-release`, { reason: "mine now", kick: true }]
      }
      // every admin route of the fleet and lease groups, straight from the contract
      const adminRoutes: Array<string> = []
      HttpApi.reflect(NcodApi, {
        onGroup: () => {},
        onEndpoint: ({ endpoint, group }) => {
          if (group.identifier === "adminFleet" || group.identifier === "adminLeases") adminRoutes.push(`${group.identifier}.${endpoint.name}`)
        }
      })
      expect(Object.keys(attempts).sort()).toEqual(adminRoutes.sort())

      const tokensBefore = yield* asAdmin("GET", "/api/v1/admin/enrollment-tokens")
      for (const [who, token] of [
        ["a user's portal token", ann.session.accessToken],
        ["a user's client token", ann.clientToken],
        ["the admin's portal token", adminPortal],
        ["the admin's client token", adminClient],
        ["a slave credential", world.slave.credential]
      ] as const) {
        for (const [key, [method, route, json]] of Object.entries(attempts)) {
          const reply = yield* call(method, route, { token, ...(json === undefined ? {} : { json }) })
          expect([401, 403], `${who} on ${key}: ${reply.status} ${reply.text.slice(0, 200)}`).toContain(reply.status)
          expectError(reply, [401, 403], ["UNAUTHENTICATED", "FORBIDDEN"])
        }
      }

      // nothing changed
      const tokensAfter = yield* asAdmin("GET", "/api/v1/admin/enrollment-tokens")
      expect(tokensAfter.body).toEqual(tokensBefore.body)
      const slave = obj(yield* asAdmin("GET", `/api/v1/slaves/${slaveId}`))["slave"] as Json
      expect(slave["name"]).toBe(world.slave.name)
      expect(slave["status"]).toBe("online")
      const device = (yield* devicesOf(slaveId)).find((d) => d.id === deviceId)!
      expect(device.nickname).toBeNull()
      expect(device.tags).toEqual([])
      const grants = yield* asAdmin("GET", "/api/v1/admin/grants", { query: { slaveId } })
      expect((grants.body as ReadonlyArray<Json>).map((g) => g["id"])).toEqual([world.grantId])
      expect((yield* getLease(ann.session.accessToken, lease.lease.id)).lease.state).toBe("pending")
      // the admin app's own token opens them (the control)
      expect((yield* asAdmin("GET", "/api/v1/admin/usage")).status).toBe(200)
    })
  )

  it.effect("refuses extra fields on a report with 400, at the top, in the server and in a device, and stores nothing of it", () =>
    Effect.gen(function* () {
      const other = yield* enrolledSlave()
      const { slave, reported } = yield* reportingSlave(2)
      const before = yield* devicesOf(slave.slaveId)
      const slaveBefore = obj(yield* asAdmin("GET", `/api/v1/slaves/${slave.slaveId}`))["slave"] as Json
      const base = (devices = reported) => reportBody(slave.nextSeq(), slave.serverName, devices)
      const device = reported[0]!
      const variants: Array<Json> = [
        { ...base(), slaveId: other.slaveId },
        { ...base(), status: "online" },
        { ...base(), name: "renamed by the slave" },
        { ...base(), labels: { owner: "me" } },
        { ...base(), lastReportSeq: 0 },
        { ...base(), credentialHash: "00".repeat(32) },
        { ...base(), server: { ...base().server, host: "evil.example" } },
        { ...base(), server: { ...base().server, vhPort: 1 } },
        base([{ ...device, state: "removed" } as never, reported[1]!]),
        base([{ ...device, id: randomUUID() } as never, reported[1]!]),
        base([{ ...device, slaveId: other.slaveId } as never, reported[1]!]),
        base([{ ...device, stableKey: "0403:6001:serial:OTHER" } as never, reported[1]!]),
        base([{ ...device, tags: ["owned"] } as never, reported[1]!]),
        base([{ ...device, holder: { userId: randomUUID() } } as never, reported[1]!])
      ]
      for (const json of variants) {
        const reply = yield* call("POST", `/api/v1/slaves/${slave.slaveId}/reports`, { token: slave.credential, json })
        expectError(reply, 400, "VALIDATION_FAILED")
      }
      expect(yield* devicesOf(slave.slaveId)).toEqual(before)
      const slaveAfter = obj(yield* asAdmin("GET", `/api/v1/slaves/${slave.slaveId}`))["slave"] as Json
      expect({ ...slaveAfter, lastSeenAt: null }).toEqual({ ...slaveBefore, lastSeenAt: null })
      expect((yield* devicesOf(other.slaveId)).length).toBe(0)
      expect((yield* slave.report(reported)).status).toBe(200)
    })
  )

  it.effect("refuses extra fields on enrollment with 400: no slave, no use of the single-use token, no takeover of an existing id", () =>
    Effect.gen(function* () {
      const victim = yield* reportingSlave(1)
      const issued = yield* issueEnrollmentToken(1)
      const body = enrollBody(issued.token)
      for (const extra of [
        { slaveId: victim.slave.slaveId },
        { id: victim.slave.slaveId },
        { status: "online" },
        { accessMode: "enforced" },
        { credential: victim.slave.credential },
        { credentialHash: "00".repeat(32) },
        { decommissionedAt: null },
        { lastReportSeq: 99 }
      ]) {
        const reply = yield* call("POST", "/api/v1/slaves/enroll", { json: { ...body, ...extra } })
        expectError(reply, 400, "VALIDATION_FAILED")
      }
      const slaves = (yield* asAdmin("GET", "/api/v1/slaves")).body as ReadonlyArray<{ slave: Json }>
      expect(slaves.map((row) => row.slave["name"])).not.toContain(body.name)
      // the single-use token is still unused, and the clean request gets a new id
      const clean = yield* call("POST", "/api/v1/slaves/enroll", { json: body })
      expect(clean.status, clean.text).toBe(200)
      expect(obj(clean)["slaveId"]).not.toBe(victim.slave.slaveId)
      // the victim keeps its identity and its credential
      expect((yield* victim.slave.report(victim.reported)).status).toBe(200)
    })
  )

  it.effect("refuses extra fields on lease create, attach, renew, release, release requests and force release with 400, and changes nothing", () =>
    Effect.gen(function* () {
      const world = yield* fleetWorld(2)
      const ann = yield* clientMember(world.departmentId)
      const bob = yield* member(world.departmentId)
      const deviceId = world.devices[0]!.id
      const far = new Date(Date.now() + 365 * 86_400_000).toISOString()
      for (const extra of [
        { userId: bob.user.id },
        { state: "active" },
        { expiresAt: far },
        { machineId: randomUUID() },
        { clientIdentity: "Bob Example (bob)" },
        { endedAt: null },
        { id: randomUUID() }
      ]) {
        const reply = yield* call("POST", "/api/v1/leases", { token: ann.clientToken, json: { deviceId, minutes: 30, ...extra } })
        expectError(reply, 400, "VALIDATION_FAILED")
      }
      const views = itemsOf(yield* asAdmin("GET", "/api/v1/devices", { query: { slaveId: world.slave.slaveId } }))
      expect(views.every((view) => view.holder === null)).toBe(true)
      expect(yield* call("GET", "/api/v1/leases", { token: ann.clientToken })).toMatchObject({ status: 200, body: [] })

      const lease = yield* takeLease(ann.clientToken, deviceId, 30)
      const id = lease.lease.id
      const refused: Array<readonly [string, string, Json]> = [
        [ann.clientToken, "attach", { clientIdentity: "Ann (ann)", machineId: randomUUID() }],
        [ann.clientToken, "attach", { clientIdentity: "Ann (ann)", bindPassword: "chosen-by-me" }],
        [ann.clientToken, "attach", { clientIdentity: "Ann (ann)", advisory: true }],
        [ann.clientToken, "attach", { clientIdentity: "Ann (ann)", userId: bob.user.id }],
        [ann.clientToken, "attach", { clientIdentity: "Ann (ann)", hub: "evil.example:7575" }],
        [ann.clientToken, "attach", { clientIdentity: "Ann (ann)", state: "active" }],
        [ann.clientToken, "renew", { minutes: 30, expiresAt: far }],
        [ann.clientToken, "renew", { minutes: 30, state: "active" }],
        [ann.clientToken, "renew", { userId: bob.user.id }],
        [ann.clientToken, "release", { reason: "released", endReason: "expired" }],
        [ann.clientToken, "release", { endedBy: bob.user.id }],
        [bob.session.accessToken, "request-release", { message: "please", requestedBy: ann.user.id }],
        [bob.session.accessToken, "request-release", { message: "please", holderUserId: bob.user.id }]
      ]
      for (const [token, action, json] of refused) {
        const reply = yield* call("POST", `/api/v1/leases/${id}/${action}`, { token, json })
        expectError(reply, 400, "VALIDATION_FAILED")
      }
      const forced = yield* asAdmin("POST", `/api/v1/admin/leases/${id}/force-release`, { json: { reason: "maintenance", kick: false, endReason: "expired" } })
      expectError(forced, 400, "VALIDATION_FAILED")

      const after = yield* getLease(ann.clientToken, id)
      expect(after.lease).toEqual(lease.lease)
      expect(after.lease.clientIdentity).toBeNull()
      expect(after.releaseRequest).toBeNull()
    })
  )

  it.effect("refuses extra fields on device updates, grants, slave updates and enrollment tokens with 400, and changes nothing", () =>
    Effect.gen(function* () {
      const world = yield* fleetWorld(1)
      const ann = yield* member(world.departmentId)
      const device = world.devices[0]!
      for (const json of [
        { nickname: "fine", state: "removed" },
        { nickname: "fine", serial: "OTHER" },
        { nickname: "fine", slaveId: randomUUID() },
        { nickname: "fine", stableKey: "0403:6001:serial:OTHER" },
        { nickname: "fine", boundClient: "Someone (someone)" },
        { nickname: "fine", vhAddress: "evil.1" },
        { tags: ["a"], id: randomUUID() }
      ]) {
        expectError(yield* asAdmin("PATCH", `/api/v1/admin/devices/${device.id}`, { json }), 400, "VALIDATION_FAILED")
      }
      const deviceAfter = (yield* devicesOf(world.slave.slaveId))[0]!
      expect(deviceAfter).toEqual(device)

      const target = { _tag: "device", deviceId: device.id }
      const subject = { _tag: "user", userId: ann.user.id }
      for (const json of [
        { target, subject, createdBy: ann.user.id },
        { target, subject, id: randomUUID() },
        { target: { ...target, slaveId: world.slave.slaveId }, subject },
        { target, subject: { ...subject, orgUnitId: world.departmentId } },
        { target, subject, role: "admin" }
      ]) {
        expectError(yield* asAdmin("POST", "/api/v1/admin/grants", { json }), 400, "VALIDATION_FAILED")
      }
      const grants = yield* asAdmin("GET", "/api/v1/admin/grants", { query: { userId: ann.user.id } })
      expect(grants.body).toEqual([])

      const slaveBefore = obj(yield* asAdmin("GET", `/api/v1/slaves/${world.slave.slaveId}`))["slave"] as Json
      for (const json of [
        { name: "Renamed", status: "online" },
        { name: "Renamed", host: "evil.example" },
        { name: "Renamed", vhPort: 1 },
        { name: "Renamed", credentialHash: "00".repeat(32) },
        { name: "Renamed", fingerprint: "fp-other-machine" },
        { labels: { rack: "B" }, accessMode: "enforced" }
      ]) {
        expectError(yield* asAdmin("PATCH", `/api/v1/admin/slaves/${world.slave.slaveId}`, { json }), 400, "VALIDATION_FAILED")
      }
      const slaveAfter = obj(yield* asAdmin("GET", `/api/v1/slaves/${world.slave.slaveId}`))["slave"] as Json
      expect({ ...slaveAfter, lastSeenAt: null }).toEqual({ ...slaveBefore, lastSeenAt: null })

      const tokensBefore = (yield* asAdmin("GET", "/api/v1/admin/enrollment-tokens")).body
      for (const json of [
        { label: "x", maxUses: 1, uses: -100 },
        { label: "x", revokedAt: null },
        { label: "x", tokenHash: "00".repeat(32) },
        { label: "x", token: "nce_chosen_by_me" },
        { label: "x", createdBy: ann.user.id }
      ]) {
        expectError(yield* asAdmin("POST", "/api/v1/admin/enrollment-tokens", { json }), 400, "VALIDATION_FAILED")
      }
      expect((yield* asAdmin("GET", "/api/v1/admin/enrollment-tokens")).body).toEqual(tokensBefore)
      // the plain requests work (the controls)
      expect((yield* asAdmin("PATCH", `/api/v1/admin/devices/${device.id}`, { json: { nickname: "fine" } })).status).toBe(200)
      expect((yield* asAdmin("POST", "/api/v1/admin/grants", { json: { target, subject } })).status).toBe(201)
      expect((yield* asAdmin("PATCH", `/api/v1/admin/slaves/${world.slave.slaveId}`, { json: { labels: { rack: "B" } } })).status).toBe(200)
      expect((yield* asAdmin("POST", "/api/v1/admin/enrollment-tokens", { json: { label: "x" } })).status).toBe(201)
    })
  )

  it.effect("writes no password, token, slave credential, enrollment token or bind password to its log", () =>
    Effect.gen(function* () {
      const master = yield* TestMaster
      expect(master.logs.length).toBeGreaterThan(0)
      expectLogsFreeOfSecrets(master.logs)
    })
  )
})

interface LiveEventLike {
  readonly slaveId?: string
  readonly leaseId?: string
  readonly device?: { readonly slaveId: string }
  readonly lease?: { readonly id: string }
}

interface LeaseLike {
  readonly lease: { readonly id: string }
}
