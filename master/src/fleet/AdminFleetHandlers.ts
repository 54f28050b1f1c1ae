import { HttpApiBuilder } from "@effect/platform"
import { Conflict, CurrentUser, DeviceChanged, NcodApi, NotFound, type SlaveId, SlaveStatusChanged } from "@ncod/core"
import { DevicesRepo, EnrollmentTokensRepo, GrantsRepo, SlavesRepo } from "@ncod/sql"
import { DateTime, Effect, Option } from "effect"
import { randomBytes } from "node:crypto"
import { actorOf, AuditTrail } from "../audit/AuditTrail.js"
import { InventoryCache } from "../cache/InventoryCache.js"
import { clientAddress } from "../auth/ClientAddress.js"
import { EventBus } from "../events/EventBus.js"
import { LeaseService } from "../leases/LeaseService.js"
import { FleetSupervisor } from "./FleetSupervisor.js"
import { SlaveCredentials } from "./SlaveCredentials.js"
import { hashEnrollmentToken } from "./SlaveAgentHandlers.js"

/** Where slaves reach this master, for the install command an admin copies. */
export class PublicUrl extends Effect.Tag("@ncod/master/PublicUrl")<PublicUrl, { readonly url: string }>() {}

const orNotFound =
  (resource: string) =>
  <A>(option: Option.Option<A>): Effect.Effect<A, NotFound> =>
    Option.match(option, { onNone: () => Effect.fail(new NotFound({ resource })), onSome: Effect.succeed })

export const AdminFleetHandlers = HttpApiBuilder.group(NcodApi, "adminFleet", (handlers) =>
  Effect.gen(function* () {
    const slaves = yield* SlavesRepo
    const devices = yield* DevicesRepo
    const tokens = yield* EnrollmentTokensRepo
    const grants = yield* GrantsRepo
    const supervisor = yield* FleetSupervisor
    const credentials = yield* SlaveCredentials
    const audit = yield* AuditTrail
    const bus = yield* EventBus
    const publicUrl = yield* PublicUrl
    const cache = yield* InventoryCache
    const leases = yield* LeaseService

    const record = (action: string, targetType: string, targetId: string, details: Record<string, unknown> = {}) =>
      Effect.gen(function* () {
        const me = yield* CurrentUser
        yield* audit.record({ ...actorOf(me), action, targetType, targetId, result: "success", sourceIp: yield* clientAddress, details })
      })

    const announceSlave = (slaveId: SlaveId) =>
      Effect.gen(function* () {
        const slave = yield* slaves.findById(slaveId)
        if (Option.isSome(slave)) {
          const s = slave.value
          yield* bus.publish(new SlaveStatusChanged({ slaveId: s.id, name: s.name, status: s.status, accessMode: s.accessMode, degraded: s.degraded, at: yield* DateTime.now }))
        }
      })

    return handlers
      .handle("createEnrollmentToken", ({ payload }) =>
        Effect.gen(function* () {
          const me = yield* CurrentUser
          const token = `nce_${randomBytes(24).toString("base64url")}`
          const enrollmentToken = yield* tokens.insert({
            label: payload.label,
            maxUses: payload.maxUses,
            expiresAt: new Date(Date.now() + payload.expiresInHours * 3600 * 1000),
            tokenHash: hashEnrollmentToken(token),
            createdBy: me.userId
          })
          yield* record("enrollment_token.create", "enrollment_token", enrollmentToken.id, { label: payload.label, maxUses: payload.maxUses })
          return {
            enrollmentToken,
            token,
            installCommand: `sudo ncod-slave enroll --master ${publicUrl.url} --token ${token}`
          }
        })
      )
      .handle("enrollmentTokens", () => tokens.list)
      .handle("revokeEnrollmentToken", ({ path }) =>
        Effect.gen(function* () {
          const revoked = yield* Effect.flatMap(tokens.revoke(path.id), orNotFound("enrollment_token"))
          yield* record("enrollment_token.revoke", "enrollment_token", path.id)
          return revoked
        })
      )
      .handle("updateSlave", ({ path, payload }) =>
        Effect.gen(function* () {
          if (payload.name !== undefined && (yield* slaves.nameTaken(payload.name, path.id))) {
            return yield* new Conflict({ reason: "another slave has this name" })
          }
          const slave = yield* Effect.flatMap(slaves.update(path.id, payload), orNotFound("slave"))
          yield* credentials.forget(path.id)
          yield* record("slave.update", "slave", path.id, { ...payload })
          yield* announceSlave(path.id)
          return slave
        })
      )
      .handle("decommissionSlave", ({ path }) =>
        Effect.gen(function* () {
          const slave = yield* Effect.flatMap(slaves.setDecommissioned(path.id, true), orNotFound("slave"))
          const removed = yield* devices.setStateForSlave(path.id, ["available", "in_use", "offline"], "removed")
          yield* leases.devicesRemoved(removed.map((device) => device.id))
          yield* supervisor.stop(path.id)
          yield* credentials.forget(path.id)
          yield* record("slave.decommission", "slave", path.id, { name: slave.name })
          yield* announceSlave(path.id)
          return slave
        })
      )
      .handle("readmitSlave", ({ path }) =>
        Effect.gen(function* () {
          const slave = yield* Effect.flatMap(slaves.setDecommissioned(path.id, false), orNotFound("slave"))
          yield* credentials.forget(path.id)
          yield* supervisor.ensure(path.id)
          yield* record("slave.readmit", "slave", path.id, { name: slave.name })
          yield* announceSlave(path.id)
          return slave
        })
      )
      .handle("deleteSlave", ({ path }) =>
        Effect.gen(function* () {
          const slave = yield* Effect.flatMap(slaves.findById(path.id), orNotFound("slave"))
          yield* supervisor.stop(path.id)
          yield* slaves.remove(path.id)
          yield* credentials.forget(path.id)
          yield* record("slave.delete", "slave", path.id, { name: slave.name })
          yield* bus.publish(new SlaveStatusChanged({ slaveId: slave.id, name: slave.name, status: "decommissioned", accessMode: slave.accessMode, degraded: false, at: yield* DateTime.now }))
        })
      )
      .handle("updateDevice", ({ path, payload }) =>
        Effect.gen(function* () {
          const device = yield* Effect.flatMap(devices.setLabels(path.id, payload), orNotFound("device"))
          yield* record("device.update", "device", path.id, { ...payload })
          yield* bus.publish(new DeviceChanged({ device, changes: Object.keys(payload), at: yield* DateTime.now }))
          return device
        })
      )
      .handle("grants", ({ urlParams }) => grants.list(urlParams))
      .handle("createGrant", ({ payload }) =>
        Effect.gen(function* () {
          const me = yield* CurrentUser
          const created = yield* grants.insert(payload.target, payload.subject, me.userId).pipe(
            // a grant naming something that does not exist breaks a foreign key
            Effect.catchAllDefect((defect) =>
              String((defect as { cause?: { code?: string } })?.cause?.code) === "23503"
                ? Effect.fail(new NotFound({ resource: payload.target._tag === "device" ? "device" : "slave" }))
                : Effect.die(defect)
            )
          )
          if (Option.isNone(created)) return yield* new Conflict({ reason: "this grant exists already" })
          yield* record("grant.create", "grant", created.value.id, { target: payload.target, subject: payload.subject })
          // who sees what changed: cached inventory answers are stale now
          yield* cache.invalidate
          return created.value
        })
      )
      .handle("deleteGrant", ({ path }) =>
        Effect.gen(function* () {
          if (!(yield* grants.remove(path.id))) return yield* new NotFound({ resource: "grant" })
          yield* record("grant.delete", "grant", path.id)
          yield* cache.invalidate
        })
      )
  })
)
