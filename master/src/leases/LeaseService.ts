import {
  Conflict,
  DeviceBusy,
  DeviceChanged,
  type DeviceId,
  DeviceUnavailable,
  Forbidden,
  LeaseChanged,
  type LeaseConnection,
  type LeaseEndReason,
  type LeaseId,
  type LeaseView,
  NotFound,
  type Principal,
  type QueueEntry,
  ReleaseDeclined,
  ReleaseRequested,
  type SlaveId,
  type UserId
} from "@ncod/core"
import { DevicesRepo, type LeaseRecord, LeasesRepo, SlavesRepo } from "@ncod/sql"
import { Context, DateTime, Effect, Layer, Option } from "effect"
import { createHash, randomBytes } from "node:crypto"
import { actorOf, AuditTrail } from "../audit/AuditTrail.js"
import { EventBus } from "../events/EventBus.js"
import { visibilityFor } from "../fleet/Visibility.js"
import { LeaseSettings } from "./LeaseSettings.js"

type Audit = { readonly sourceIp?: string | undefined }

export interface LeaseServiceShape {
  readonly create: (me: Principal, deviceId: DeviceId, minutes: number | undefined, audit: Audit) => Effect.Effect<LeaseView, DeviceBusy | DeviceUnavailable | NotFound>
  readonly view: (me: Principal, id: LeaseId) => Effect.Effect<LeaseView, NotFound>
  readonly mine: (me: Principal) => Effect.Effect<ReadonlyArray<LeaseView>>
  readonly attach: (me: Principal, id: LeaseId, clientIdentity: string, audit: Audit) => Effect.Effect<LeaseConnection, NotFound | Forbidden | DeviceUnavailable>
  readonly activate: (me: Principal, id: LeaseId) => Effect.Effect<LeaseView, NotFound | Conflict>
  readonly keepAlive: (me: Principal, id: LeaseId) => Effect.Effect<LeaseView, NotFound | Conflict>
  readonly renew: (me: Principal, id: LeaseId, minutes: number | undefined, audit: Audit) => Effect.Effect<LeaseView, NotFound | Conflict>
  readonly release: (me: Principal, id: LeaseId, reason: "released" | "bind_failed", audit: Audit) => Effect.Effect<LeaseView, NotFound>
  readonly requestRelease: (me: Principal, id: LeaseId, message: string, audit: Audit) => Effect.Effect<void, NotFound | Conflict>
  readonly declineRelease: (me: Principal, id: LeaseId, audit: Audit) => Effect.Effect<LeaseView, NotFound>
  readonly enqueue: (me: Principal, deviceId: DeviceId) => Effect.Effect<QueueEntry, NotFound | Conflict | DeviceUnavailable>
  readonly dequeue: (me: Principal, deviceId: DeviceId) => Effect.Effect<void>
  readonly myQueue: (me: Principal) => Effect.Effect<ReadonlyArray<QueueEntry>>
  readonly forceRelease: (admin: Principal, id: LeaseId, reason: string, kick: boolean, audit: Audit) => Effect.Effect<LeaseRecord, NotFound>
  /** Announces lease changes made elsewhere (supervisor, fleet hooks). */
  readonly announce: (record: LeaseRecord, transition: string) => Effect.Effect<void>
  readonly devicesRemoved: (deviceIds: ReadonlyArray<DeviceId>) => Effect.Effect<void>
  readonly slaveOffline: (slaveId: SlaveId) => Effect.Effect<void>
  readonly slaveOnline: (slaveId: SlaveId) => Effect.Effect<void>
  readonly accountChanged: (userId: UserId) => Effect.Effect<void>
}

/**
 * The lease flow and its policy: who may take which device, attaching a client (which gives the
 * slave's hook a grant and the client a one-time bind password), keep-alives, renewals, release,
 * the queue and release requests. Every transition is announced and audited.
 */
export class LeaseService extends Context.Tag("@ncod/master/LeaseService")<LeaseService, LeaseServiceShape>() {}

const md5 = (text: string) => createHash("md5").update(text).digest("hex")
const notFound = new NotFound({ resource: "lease" })

export const LeaseServiceLive = Layer.effect(
  LeaseService,
  Effect.gen(function* () {
    const leases = yield* LeasesRepo
    const devices = yield* DevicesRepo
    const slaves = yield* SlavesRepo
    const bus = yield* EventBus
    const audit = yield* AuditTrail
    const settings = yield* LeaseSettings
    const context = yield* Effect.context<Effect.Effect.Context<ReturnType<typeof visibilityFor>>>()

    const announce = (record: LeaseRecord, transition: string) =>
      Effect.gen(function* () {
        const at = yield* DateTime.now
        yield* bus.publish(new LeaseChanged({ lease: record.toLease(), slaveId: record.slaveId as SlaveId, transition, at }))
        const device = yield* devices.findById(record.deviceId)
        // others' device lists show the holder: tell them to refresh this device
        if (Option.isSome(device)) yield* bus.publish(new DeviceChanged({ device: device.value, changes: ["holder"], at }))
        if (record.state === "ended") {
          yield* Effect.logInfo("lease ended").pipe(Effect.annotateLogs({ leaseId: record.id, deviceId: record.deviceId, reason: record.endReason }))
        }
      })

    const own = (me: Principal, id: LeaseId) =>
      Effect.flatMap(leases.findById(id), (found) =>
        Option.isSome(found) && found.value.userId === me.userId ? Effect.succeed(found.value) : Effect.fail(notFound)
      )

    const viewOf = (record: LeaseRecord) =>
      Effect.gen(function* () {
        const device = yield* Effect.flatMap(devices.findById(record.deviceId), Option.match({ onNone: () => Effect.die("a lease without its device"), onSome: Effect.succeed }))
        const slave = yield* slaves.findById(device.slaveId)
        const requests = record.state === "ended" ? [] : yield* leases.openRequests(record.id)
        const latest = requests[0]
        return {
          lease: record.toLease(),
          device,
          slaveName: Option.match(slave, { onNone: () => "", onSome: (s) => s.name }),
          releaseRequest: latest
            ? { username: latest.username, displayName: latest.displayName, message: latest.message, at: DateTime.unsafeFromDate(latest.requestedAt) }
            : null,
          queueLength: yield* leases.queueLength(record.deviceId)
        } satisfies LeaseView
      })

    const record = (me: Principal, action: string, lease: { id: string; deviceId: string }, sourceIp: string | undefined, details: Record<string, unknown> = {}) =>
      audit.record({ ...actorOf(me), action, targetType: "lease", targetId: lease.id, result: "success", sourceIp: sourceIp ?? null, details: { deviceId: lease.deviceId, ...details } })

    const visibleDevice = (me: Principal, deviceId: DeviceId) =>
      Effect.gen(function* () {
        const scope = yield* Effect.provide(visibilityFor(me), context)
        const view = yield* devices.view(deviceId, scope)
        if (Option.isNone(view)) return yield* new NotFound({ resource: "device" })
        return view.value
      })

    const availability = (view: { device: { state: string }; slaveStatus: string }) => {
      if (view.device.state === "removed") return Option.some(new DeviceUnavailable({ reason: "device_removed" }))
      if (view.slaveStatus !== "online") return Option.some(new DeviceUnavailable({ reason: "slave_offline" }))
      if (view.device.state === "offline") return Option.some(new DeviceUnavailable({ reason: "device_offline" }))
      return Option.none()
    }

    const create: LeaseServiceShape["create"] = (me, deviceId, minutes, { sourceIp }) =>
      Effect.gen(function* () {
        const view = yield* visibleDevice(me, deviceId)
        const unavailable = availability(view)
        if (Option.isSome(unavailable)) return yield* unavailable.value
        if (view.holder) return yield* new DeviceBusy({ holderUsername: view.holder.username, holderDisplayName: view.holder.displayName })
        const turn = yield* leases.offerHolder(deviceId)
        if (Option.isSome(turn) && turn.value !== me.userId) return yield* new DeviceUnavailable({ reason: "reserved" })
        const length = Math.min(minutes ?? settings.leaseDefaultMinutes, settings.leaseMaxMinutes)
        const inserted = yield* leases.insert({ deviceId, userId: me.userId, machineId: me.machineId, expiresAt: new Date(Date.now() + length * 60_000) })
        if (Option.isNone(inserted)) {
          const holder = yield* leases.openHolder(deviceId)
          return yield* Option.match(holder, {
            onNone: () => Effect.fail(new DeviceUnavailable({ reason: "device_offline" })),
            onSome: (h) => Effect.fail(new DeviceBusy({ holderUsername: h.username, holderDisplayName: h.displayName }))
          })
        }
        yield* leases.markClaimed(deviceId, me.userId)
        yield* record(me, "lease.create", inserted.value, sourceIp, { minutes: length })
        yield* announce(inserted.value, "started")
        return yield* viewOf(inserted.value)
      })

    const attach: LeaseServiceShape["attach"] = (me, id, clientIdentity, { sourceIp }) =>
      Effect.gen(function* () {
        const lease = yield* own(me, id)
        if (lease.state === "ended") return yield* notFound
        if (me.audience !== "client" || me.machineId === null) return yield* new Forbidden()
        const device = yield* Effect.flatMap(devices.findById(lease.deviceId), Option.match({ onNone: () => Effect.fail(new DeviceUnavailable({ reason: "device_removed" })), onSome: Effect.succeed }))
        const slave = yield* Effect.flatMap(slaves.findById(device.slaveId), Option.match({ onNone: () => Effect.fail(new DeviceUnavailable({ reason: "device_removed" })), onSome: Effect.succeed }))
        if (slave.status !== "online") return yield* new DeviceUnavailable({ reason: "slave_offline" })
        const advisory = slave.accessMode === "advisory"
        const bindPassword = advisory ? null : randomBytes(12).toString("base64url")
        const attached = yield* Effect.flatMap(leases.attach(id, clientIdentity, me.machineId, bindPassword ? md5(bindPassword) : null), Option.match({ onNone: () => Effect.fail(notFound), onSome: Effect.succeed }))
        yield* record(me, "lease.attach", attached, sourceIp, { clientIdentity, machineId: me.machineId })
        yield* announce(attached, "attached")
        return {
          lease: attached.toLease(),
          device,
          hub: `${slave.host}:${slave.vhPort}`,
          bindPassword,
          advisory,
          keepAliveSeconds: settings.leaseKeepAliveSeconds,
          graceSeconds: settings.leaseGraceSeconds
        }
      })

    const activate: LeaseServiceShape["activate"] = (me, id) =>
      Effect.gen(function* () {
        yield* own(me, id)
        const moved = yield* leases.transition(id, ["pending", "active"], "active")
        if (Option.isNone(moved)) return yield* new Conflict({ reason: "the lease is not waiting to be activated" })
        yield* announce(moved.value, "activated")
        return yield* viewOf(moved.value)
      })

    const keepAlive: LeaseServiceShape["keepAlive"] = (me, id) =>
      Effect.gen(function* () {
        const lease = yield* own(me, id)
        if (lease.state === "ended") return yield* new Conflict({ reason: "the lease has ended" })
        yield* leases.touch(id)
        if (lease.state === "suspended" && lease.suspendedReason === "client_lost") {
          for (const resumed of yield* leases.resumeClient(id)) yield* announce(resumed, "resumed")
        }
        return yield* Effect.flatMap(own(me, id), viewOf)
      })

    const renew: LeaseServiceShape["renew"] = (me, id, minutes, { sourceIp }) =>
      Effect.gen(function* () {
        const lease = yield* own(me, id)
        if (lease.state === "ended") return yield* new Conflict({ reason: "the lease has ended" })
        if ((yield* leases.queueLength(lease.deviceId)) > 0) return yield* new Conflict({ reason: "someone is waiting for this device" })
        const now = Date.now()
        const base = Math.max(now, DateTime.toEpochMillis(lease.expiresAt))
        const expiresAt = new Date(Math.min(base + (minutes ?? settings.leaseDefaultMinutes) * 60_000, now + settings.leaseMaxMinutes * 60_000))
        const extended = yield* Effect.flatMap(leases.extend(id, expiresAt), Option.match({ onNone: () => Effect.fail(notFound), onSome: Effect.succeed }))
        yield* record(me, "lease.renew", extended, sourceIp, { expiresAt: expiresAt.toISOString() })
        yield* announce(extended, "renewed")
        return yield* viewOf(extended)
      })

    const finish = (id: LeaseId, reason: LeaseEndReason, by: UserId | null) =>
      Effect.flatMap(leases.end(id, reason, by), Option.match({ onNone: () => Effect.fail(notFound), onSome: Effect.succeed }))

    const release: LeaseServiceShape["release"] = (me, id, reason, { sourceIp }) =>
      Effect.gen(function* () {
        const lease = yield* own(me, id)
        if (lease.state === "ended") return yield* viewOf(lease)
        const ended = yield* finish(id, reason, me.userId)
        yield* record(me, "lease.release", ended, sourceIp, { reason })
        yield* announce(ended, "ended")
        return yield* viewOf(ended)
      })

    const requestRelease: LeaseServiceShape["requestRelease"] = (me, id, message, { sourceIp }) =>
      Effect.gen(function* () {
        const lease = yield* Effect.flatMap(leases.findById(id), Option.match({ onNone: () => Effect.fail(notFound), onSome: Effect.succeed }))
        // a lease on a device the caller may not see answers exactly like an unknown lease id
        yield* Effect.mapError(visibleDevice(me, lease.deviceId), () => notFound)
        if (lease.state === "ended") return yield* new Conflict({ reason: "the lease has ended" })
        if (lease.userId === me.userId) return yield* new Conflict({ reason: "this is your own lease" })
        yield* leases.requestRelease(id, me.userId, message)
        yield* record(me, "lease.request_release", lease, sourceIp, { holder: lease.userId })
        yield* bus.publish(
          new ReleaseRequested({
            leaseId: id,
            deviceId: lease.deviceId,
            holderUserId: lease.userId,
            requestedBy: { userId: me.userId, username: me.username, displayName: me.displayName },
            message,
            at: yield* DateTime.now
          })
        )
      })

    const declineRelease: LeaseServiceShape["declineRelease"] = (me, id, { sourceIp }) =>
      Effect.gen(function* () {
        const lease = yield* own(me, id)
        const requesters = yield* leases.declineRequests(id)
        const at = yield* DateTime.now
        for (const requester of requesters) yield* bus.publish(new ReleaseDeclined({ leaseId: id, deviceId: lease.deviceId, requesterUserId: requester, at }))
        if (requesters.length > 0) yield* record(me, "lease.decline_release", lease, sourceIp, { requesters })
        return yield* viewOf(lease)
      })

    const myQueue: LeaseServiceShape["myQueue"] = (me) =>
      Effect.map(leases.queueOf(me.userId), (rows) =>
        rows.map((row) => ({
          deviceId: row.deviceId as DeviceId,
          position: row.position,
          state: row.state,
          claimExpiresAt: row.claimExpiresAt ? DateTime.unsafeFromDate(row.claimExpiresAt) : null,
          queuedAt: DateTime.unsafeFromDate(row.queuedAt)
        }))
      )

    const enqueue: LeaseServiceShape["enqueue"] = (me, deviceId) =>
      Effect.gen(function* () {
        const view = yield* visibleDevice(me, deviceId)
        if (view.device.state === "removed") return yield* new DeviceUnavailable({ reason: "device_removed" })
        if (view.holder?.userId === me.userId) return yield* new Conflict({ reason: "you hold this device already" })
        if (!view.holder && Option.isNone(yield* leases.offerHolder(deviceId)) && (yield* leases.queueLength(deviceId)) === 0) {
          return yield* new Conflict({ reason: "the device is free: take it now instead of queueing" })
        }
        yield* leases.enqueue(deviceId, me.userId)
        const entry = (yield* myQueue(me)).find((row) => row.deviceId === deviceId)
        return yield* Option.match(Option.fromNullable(entry), { onNone: () => Effect.die("queued entry vanished"), onSome: Effect.succeed })
      })

    const forceRelease: LeaseServiceShape["forceRelease"] = (admin, id, reason, kick, { sourceIp }) =>
      Effect.gen(function* () {
        const ended = yield* finish(id, kick ? "kicked" : "force_released", admin.userId)
        yield* record(admin, kick ? "lease.kick" : "lease.force_release", ended, sourceIp, { reason, holder: ended.userId })
        yield* announce(ended, "ended")
        return ended
      })

    const each = (effect: Effect.Effect<ReadonlyArray<LeaseRecord>>, transition: string) =>
      Effect.flatMap(effect, (records) => Effect.forEach(records, (r) => announce(r, transition), { discard: true }))

    return {
      create,
      view: (me, id) => Effect.flatMap(own(me, id), viewOf),
      mine: (me) => Effect.flatMap(leases.openForUser(me.userId), (records) => Effect.forEach(records, viewOf)),
      attach,
      activate,
      keepAlive,
      renew,
      release,
      requestRelease,
      declineRelease,
      enqueue,
      dequeue: (me, deviceId) => leases.dequeue(deviceId, me.userId),
      myQueue,
      forceRelease,
      announce,
      devicesRemoved: (deviceIds) => each(leases.endForDevices(deviceIds, "device_removed"), "ended"),
      slaveOffline: (slaveId) => each(leases.suspendForSlave(slaveId), "suspended"),
      slaveOnline: (slaveId) => each(leases.resumeForSlave(slaveId), "resumed"),
      accountChanged: (userId) => each(leases.endForUser(userId, "account_changed"), "ended")
    }
  })
)
