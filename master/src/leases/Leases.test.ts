import { expect, layer } from "@effect/vitest"
import { type LiveEvent, type SlaveLinkMessage } from "@ncod/core"
import { slaveLinkClient } from "@ncod/core/node"
import { Effect, Fiber, Layer, Schedule, Stream } from "effect"
import { createHash } from "node:crypto"
import { approvedClientLogin, approvedUser, makeMachine } from "../testing/ClientFixtures.js"
import { adminApi, apiClient, demoReported, enrollSlave, makeReport } from "../testing/FleetFixtures.js"
import { collectLiveEvents } from "../testing/LiveEvents.js"
import { TestMaster, testHttpClientLayer, testMasterLayer } from "../testing/TestMaster.js"

const Leases = Layer.provideMerge(
  testHttpClientLayer,
  testMasterLayer({
    NCOD_REPORT_INTERVAL_SECONDS: "1",
    NCOD_OFFLINE_AFTER_MISSED: "2",
    NCOD_LEASE_KEEPALIVE_SECONDS: "2",
    NCOD_LEASE_GRACE_SECONDS: "2",
    NCOD_LEASE_WARN_MINUTES: "5",
    NCOD_CLAIM_WINDOW_SECONDS: "30",
    NCOD_LOGIN_IP_MAX_FAILURES: "10000",
    NCOD_REGISTRATIONS_PER_HOUR: "10000"
  })
)

/** A slave with devices, granted to a fresh department whose users are returned signed in. */
const world = (tag: string, users: ReadonlyArray<string>, options: { readonly keepReporting: boolean } = { keepReporting: true }) =>
  Effect.gen(function* () {
    const admin = yield* adminApi
    const slave = yield* enrollSlave(`lab-${tag}`)
    const devices = demoReported(40 + tag.length, 3, `lab-${tag}`)
    let seq = 1
    const report = (list = devices) => slave.client.slaveAgent.report({ path: { id: slave.slaveId }, payload: makeReport(seq++, `lab-${tag}`, list) })
    yield* report()
    // the slave keeps reporting in the background, as a real agent would
    const reporter = yield* Effect.forkScoped(Effect.repeat(Effect.ignore(Effect.suspend(() => report())), Schedule.spaced("400 millis")))
    const first = yield* approvedUser(`${tag}.${users[0]}`, "correct horse battery")
    yield* admin.adminFleet.createGrant({ payload: { target: { _tag: "slave", slaveId: slave.slaveId }, subject: { _tag: "orgUnit", orgUnitId: first.departmentId } } })
    const people = []
    for (const [index, name] of users.entries()) {
      const username = `${tag}.${name}`
      if (index > 0) yield* approvedUser(username, "correct horse battery", first.departmentId)
      const machine = makeMachine(`02:00:00:00:${String(tag.length * 7 + index).padStart(2, "0")}:${String(index + 10)}`)
      const tokens = yield* approvedClientLogin(username, "correct horse battery", machine)
      const portal = yield* Effect.flatMap(apiClient(), (api) => api.auth.login({ payload: { username, password: "correct horse battery", audience: "portal" } }))
      people.push({ username, tokens, client: yield* apiClient(tokens.accessToken), portal: yield* apiClient(portal.accessToken), portalToken: portal.accessToken })
    }
    const listed = yield* admin.inventory.devices({ urlParams: { slaveId: slave.slaveId, limit: 10 } })
    if (!options.keepReporting) yield* Fiber.interrupt(reporter)
    return { admin, slave, report, devices, deviceIds: listed.items.map((view) => view.device.id), people }
  })

layer(Leases, { timeout: 120_000, excludeTestServices: true })("leases", (it) => {
  it.scoped("give one user a device and refuse the next one, naming the holder", () =>
    Effect.gen(function* () {
      const { deviceIds, people } = yield* world("busy", ["ann", "bob"])
      const [ann, bob] = people
      const taken = yield* ann!.client.leases.create({ payload: { deviceId: deviceIds[0]! } })
      expect(taken.lease.state).toBe("pending")
      const refused = yield* Effect.flip(bob!.client.leases.create({ payload: { deviceId: deviceIds[0]! } }))
      expect(refused).toMatchObject({ _tag: "DeviceBusy", holderUsername: "busy.ann" })
      const racing = yield* Effect.all(
        [bob!.client.leases.create({ payload: { deviceId: deviceIds[1]! } }), ann!.client.leases.create({ payload: { deviceId: deviceIds[1]! } })].map(Effect.either),
        { concurrency: 2 }
      )
      expect(racing.filter((result) => result._tag === "Right")).toHaveLength(1)
    })
  )

  it.scoped("hide devices nobody granted", () =>
    Effect.gen(function* () {
      const { deviceIds } = yield* world("hidden", ["ann"])
      yield* approvedUser("outsider.zed", "correct horse battery")
      const tokens = yield* approvedClientLogin("outsider.zed", "correct horse battery", makeMachine("02:00:00:00:99:01"))
      const outsider = yield* apiClient(tokens.accessToken)
      expect((yield* Effect.flip(outsider.leases.create({ payload: { deviceId: deviceIds[0]! } })))._tag).toBe("NotFound")
    })
  )

  it.scoped("hand the slave's hook a grant for the attached client, and take it back on release", () =>
    Effect.gen(function* () {
      const master = yield* TestMaster
      const { deviceIds, people, slave } = yield* world("grant", ["ann"])
      const ann = people[0]!
      const link = yield* slaveLinkClient(master.url, master.ca)
      const messages: Array<SlaveLinkMessage> = []
      yield* link.SlaveGrants({ credential: slave.credential }).pipe(Stream.runForEach((m) => Effect.sync(() => void messages.push(m))), Effect.forkScoped)
      yield* Effect.sleep("300 millis")
      const lease = yield* ann.client.leases.create({ payload: { deviceId: deviceIds[0]! } })
      const fromPortal = yield* Effect.flip(ann.portal.leases.attach({ path: { id: lease.lease.id }, payload: { clientIdentity: "Ann (ann)" } }))
      expect(fromPortal._tag).toBe("Forbidden")
      const connection = yield* ann.client.leases.attach({ path: { id: lease.lease.id }, payload: { clientIdentity: "Ann Example (ann)" } })
      expect(connection.hub).toBe("lab-grant.lab.example:7575")
      expect(connection.advisory).toBe(false)
      expect(connection.bindPassword).toMatch(/^[A-Za-z0-9_-]{16}$/)
      yield* ann.client.leases.activate({ path: { id: lease.lease.id } })
      yield* ann.client.leases.release({ path: { id: lease.lease.id }, payload: {} })
      yield* Effect.sleep("500 millis")
      expect(messages[0]?._tag).toBe("GrantsSnapshot")
      const added = messages.find((m) => m._tag === "GrantAdded")
      expect(added?._tag === "GrantAdded" && added.grant).toMatchObject({
        leaseId: lease.lease.id,
        clientIdentity: "Ann Example (ann)",
        bindPasswordMd5: createHash("md5").update(connection.bindPassword!).digest("hex")
      })
      const revoked = messages.find((m) => m._tag === "GrantRevoked")
      expect(revoked).toMatchObject({ leaseId: lease.lease.id, reason: "released" })
    })
  )

  it.scoped("end a lease when its device is unplugged and tell the holder at once", () =>
    Effect.gen(function* () {
      const master = yield* TestMaster
      const { deviceIds, devices, people, report } = yield* world("unplug", ["ann"])
      const ann = people[0]!
      const live = yield* collectLiveEvents(master, ann.tokens.accessToken)
      const lease = yield* ann.client.leases.create({ payload: { deviceId: deviceIds[0]! } })
      const leased = (yield* ann.client.leases.get({ path: { id: lease.lease.id } })).device
      yield* report(devices.filter((device) => device.serial !== leased.serial))
      const started = Date.now()
      while (!live.events.some((e) => e._tag === "LeaseChanged" && e.lease.endReason === "device_removed") && Date.now() - started < 5000) {
        yield* Effect.sleep("50 millis")
      }
      expect(Date.now() - started).toBeLessThan(5000)
      expect((yield* ann.client.leases.get({ path: { id: lease.lease.id } })).lease.endReason).toBe("device_removed")
    })
  )

  it.scoped("suspend leases while their slave is offline and resume them when it is back", () =>
    Effect.gen(function* () {
      const { deviceIds, people, report } = yield* world("offline", ["ann"], { keepReporting: false })
      const ann = people[0]!
      const lease = yield* ann.client.leases.create({ payload: { deviceId: deviceIds[0]! } })
      yield* ann.client.leases.activate({ path: { id: lease.lease.id } })
      // keep the client alive while the slave is silent
      for (let i = 0; i < 7; i++) {
        yield* ann.client.leases.keepAlive({ path: { id: lease.lease.id } }).pipe(Effect.ignore)
        yield* Effect.sleep("500 millis")
      }
      expect((yield* ann.client.leases.get({ path: { id: lease.lease.id } })).lease.state).toBe("suspended")
      yield* report()
      expect((yield* ann.client.leases.get({ path: { id: lease.lease.id } })).lease.state).toBe("active")
    })
  )

  it.scoped("suspend an active lease whose client went silent and end it after the grace period", () =>
    Effect.gen(function* () {
      const { deviceIds, people, report } = yield* world("silent", ["ann"])
      const ann = people[0]!
      const lease = yield* ann.client.leases.create({ payload: { deviceId: deviceIds[0]! } })
      yield* ann.client.leases.activate({ path: { id: lease.lease.id } })
      const states: Array<string> = []
      for (let i = 0; i < 16; i++) {
        yield* report().pipe(Effect.ignore)
        states.push((yield* ann.client.leases.get({ path: { id: lease.lease.id } })).lease.state)
        yield* Effect.sleep("500 millis")
      }
      expect(states).toContain("suspended")
      const final = yield* ann.client.leases.get({ path: { id: lease.lease.id } })
      expect(final.lease.endReason).toBe("grace_expired")
    })
  )

  it.scoped("offer a freed device to the first in the queue, hold it for them, and tell them", () =>
    Effect.gen(function* () {
      const master = yield* TestMaster
      const { deviceIds, people } = yield* world("queue", ["ann", "bob", "cid"])
      const [ann, bob, cid] = people
      const live = yield* collectLiveEvents(master, bob!.tokens.accessToken)
      const lease = yield* ann!.client.leases.create({ payload: { deviceId: deviceIds[0]! } })
      const queued = yield* bob!.client.leases.enqueue({ path: { id: deviceIds[0]! } })
      expect(queued).toMatchObject({ position: 1, state: "waiting" })
      expect((yield* Effect.flip(ann!.client.leases.renew({ path: { id: lease.lease.id }, payload: { minutes: 30 } })))._tag).toBe("Conflict")
      yield* ann!.client.leases.release({ path: { id: lease.lease.id }, payload: {} })
      yield* Effect.sleep("2500 millis")
      expect(live.events.some((e: LiveEvent) => e._tag === "WaitlistOffered" && e.deviceId === deviceIds[0])).toBe(true)
      expect(yield* Effect.flip(cid!.client.leases.create({ payload: { deviceId: deviceIds[0]! } }))).toMatchObject({ reason: "reserved" })
      const mine = yield* bob!.client.leases.create({ payload: { deviceId: deviceIds[0]! } })
      expect((yield* bob!.client.leases.mine()).map((view) => view.lease.id)).toEqual([mine.lease.id])
      expect(yield* bob!.client.leases.myQueue()).toEqual([])
    })
  )

  it.scoped("carry a release request to the holder and the holder's decline back", () =>
    Effect.gen(function* () {
      const master = yield* TestMaster
      const { deviceIds, people } = yield* world("ask", ["ann", "bob"])
      const [ann, bob] = people
      const annEvents = yield* collectLiveEvents(master, ann!.tokens.accessToken)
      const bobEvents = yield* collectLiveEvents(master, bob!.tokens.accessToken)
      const lease = yield* ann!.client.leases.create({ payload: { deviceId: deviceIds[0]! } })
      yield* bob!.client.leases.requestRelease({ path: { id: lease.lease.id }, payload: { message: "需要烧录固件，10 分钟" } })
      const view = yield* ann!.client.leases.get({ path: { id: lease.lease.id } })
      expect(view.releaseRequest).toMatchObject({ username: "ask.bob", message: "需要烧录固件，10 分钟" })
      yield* ann!.client.leases.declineRelease({ path: { id: lease.lease.id } })
      yield* Effect.sleep("300 millis")
      expect(annEvents.events.some((e) => e._tag === "ReleaseRequested")).toBe(true)
      expect(bobEvents.events.some((e) => e._tag === "ReleaseDeclined")).toBe(true)
    })
  )

  it.scoped("let an admin kick a holder with a reason, and keep it in the usage history", () =>
    Effect.gen(function* () {
      const { admin, deviceIds, people } = yield* world("kick", ["ann"])
      const ann = people[0]!
      const lease = yield* ann.client.leases.create({ payload: { deviceId: deviceIds[0]! } })
      const kicked = yield* admin.adminLeases.forceRelease({ path: { id: lease.lease.id }, payload: { reason: "urgent maintenance", kick: true } })
      expect(kicked.endReason).toBe("kicked")
      const usage = yield* admin.adminLeases.usage({ urlParams: { deviceId: deviceIds[0]! } })
      expect(usage.items[0]).toMatchObject({ username: "kick.ann", slaveName: "lab-kick" })
      expect(usage.items[0]!.lease.endReason).toBe("kicked")
      const audit = yield* admin.adminAudit.list({ urlParams: { action: "lease.kick" } })
      expect(audit.items[0]?.details).toMatchObject({ reason: "urgent maintenance" })
    })
  )
})
