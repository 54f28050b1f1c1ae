import { HttpApiBuilder } from "@effect/platform"
import {
  AccountStatusChanged,
  Conflict,
  CurrentUser,
  MachineStatusChanged,
  NcodApi,
  NotFound,
  type Principal,
  type Role,
  type UserId,
  type UserStatus
} from "@ncod/core"
import { MachinesRepo, OrgUnitsRepo, type UserRecord, UsersRepo } from "@ncod/sql"
import { DateTime, Effect, Option } from "effect"
import { actorOf, AuditTrail } from "../audit/AuditTrail.js"
import { clientAddress } from "../auth/ClientAddress.js"
import { RefreshTokens } from "../auth/RefreshTokens.js"
import { EventBus } from "../events/EventBus.js"
import { LeaseService } from "../leases/LeaseService.js"

/** Which status changes an admin may make, from which states. */
const allowedFrom: Record<"approve" | "reject" | "disable" | "enable", ReadonlyArray<UserStatus>> = {
  approve: ["pending", "rejected"],
  reject: ["pending"],
  disable: ["pending", "approved", "rejected"],
  enable: ["disabled"]
}
const target: Record<keyof typeof allowedFrom, UserStatus> = {
  approve: "approved",
  reject: "rejected",
  disable: "disabled",
  enable: "approved"
}

export const AdminUsersHandlers = HttpApiBuilder.group(NcodApi, "adminUsers", (handlers) =>
  Effect.gen(function* () {
    const users = yield* UsersRepo
    const orgUnits = yield* OrgUnitsRepo
    const refresh = yield* RefreshTokens
    const audit = yield* AuditTrail
    const bus = yield* EventBus
    const leases = yield* LeaseService

    const find = (id: UserId) =>
      Effect.flatMap(users.findById(id), Option.match({ onNone: () => Effect.fail(new NotFound({ resource: "user" })), onSome: Effect.succeed }))

    const recordChange = (me: Principal, user: UserRecord, action: string, details: Record<string, unknown>) =>
      Effect.gen(function* () {
        yield* audit.record({ ...actorOf(me), action, targetType: "user", targetId: user.id, result: "success", sourceIp: yield* clientAddress, details: { username: user.username, ...details } })
      })

    /** Never leave the system without an approved admin, and never lock yourself out. */
    const guardAdmins = (me: Principal, user: UserRecord, losingAdmin: boolean) =>
      Effect.gen(function* () {
        if (!losingAdmin) return
        if (user.id === me.userId) return yield* new Conflict({ reason: "you cannot disable or demote your own account" })
        if (user.role === "admin" && user.status === "approved" && (yield* users.countAdmins) <= 1) {
          return yield* new Conflict({ reason: "this is the last administrator" })
        }
      })

    const transition = (id: UserId, change: keyof typeof allowedFrom, reason: string | null) =>
      Effect.gen(function* () {
        const me = yield* CurrentUser
        const user = yield* find(id)
        if (user.status === target[change]) return user.toUser()
        if (!allowedFrom[change].includes(user.status)) {
          return yield* new Conflict({ reason: `a ${user.status} account cannot be ${target[change]}` })
        }
        yield* guardAdmins(me, user, change === "disable" && user.role === "admin")
        const updated = yield* Effect.flatMap(users.setStatus(id, target[change], reason, me.userId), Option.match({ onNone: () => Effect.fail(new NotFound({ resource: "user" })), onSome: Effect.succeed }))
        if (target[change] !== "approved") {
          yield* refresh.revokeAll(id)
          yield* leases.accountChanged(id)
        }
        yield* recordChange(me, updated, `user.${change}`, reason ? { reason, from: user.status } : { from: user.status })
        yield* bus.publish(new AccountStatusChanged({ userId: id, status: updated.status, reason, at: yield* DateTime.now }))
        return updated.toUser()
      })

    const setRole = (id: UserId, role: Role) =>
      Effect.gen(function* () {
        const me = yield* CurrentUser
        const user = yield* find(id)
        if (user.role === role) return user.toUser()
        yield* guardAdmins(me, user, user.role === "admin")
        const updated = yield* Effect.flatMap(users.setRole(id, role), Option.match({ onNone: () => Effect.fail(new NotFound({ resource: "user" })), onSome: Effect.succeed }))
        yield* refresh.revokeAll(id)
        yield* recordChange(me, updated, "user.set_role", { from: user.role, to: role })
        return updated.toUser()
      })

    return handlers
      .handle("list", ({ urlParams }) =>
        Effect.map(users.list({ ...urlParams, limit: urlParams.limit ?? 50 }), (page) => ({
          items: page.items.map((user) => user.toUser()),
          nextCursor: page.nextCursor
        }))
      )
      .handle("get", ({ path }) => Effect.map(find(path.id), (user) => user.toUser()))
      .handle("approve", ({ path }) => transition(path.id, "approve", null))
      .handle("approveMany", ({ payload }) => Effect.forEach(payload.ids, (id) => transition(id, "approve", null)))
      .handle("reject", ({ path, payload }) => transition(path.id, "reject", payload.reason))
      .handle("disable", ({ path, payload }) => transition(path.id, "disable", payload.reason))
      .handle("enable", ({ path }) => transition(path.id, "enable", null))
      .handle("setRole", ({ path, payload }) => setRole(path.id, payload.role))
      .handle("setOrgUnit", ({ path, payload }) =>
        Effect.gen(function* () {
          const me = yield* CurrentUser
          const unit = yield* orgUnits.findById(payload.orgUnitId)
          if (Option.isNone(unit) || unit.value.retiredAt !== null) return yield* new NotFound({ resource: "org_unit" })
          const before = yield* find(path.id)
          const updated = yield* Effect.flatMap(users.setOrgUnit(path.id, payload.orgUnitId), Option.match({ onNone: () => Effect.fail(new NotFound({ resource: "user" })), onSome: Effect.succeed }))
          yield* recordChange(me, updated, "user.set_org_unit", { from: before.orgUnitId, to: payload.orgUnitId })
          return updated.toUser()
        })
      )
  })
)

export const AdminMachinesHandlers = HttpApiBuilder.group(NcodApi, "adminMachines", (handlers) =>
  Effect.gen(function* () {
    const machines = yield* MachinesRepo
    const audit = yield* AuditTrail
    const bus = yield* EventBus
    const decide = (id: Parameters<typeof machines.decide>[0], status: "approved" | "revoked") =>
      Effect.gen(function* () {
        const me = yield* CurrentUser
        const decided = yield* machines.decide(id, status, me.userId)
        if (Option.isNone(decided)) return yield* new NotFound({ resource: "machine" })
        const machine = decided.value
        yield* audit.record({ ...actorOf(me), action: status === "approved" ? "machine.approve" : "machine.revoke", targetType: "machine", targetId: id, result: "success", sourceIp: yield* clientAddress, details: { mac: machine.mac, userId: machine.userId } })
        yield* bus.publish(new MachineStatusChanged({ machineId: id, userId: machine.userId, status, at: yield* DateTime.now }))
        return machine.toMachine()
      })
    return handlers
      .handle("list", ({ urlParams }) => machines.list(urlParams))
      .handle("approve", ({ path }) => decide(path.id, "approved"))
      .handle("revoke", ({ path }) => decide(path.id, "revoked"))
  })
)
