import { HttpApiBuilder } from "@effect/platform"
import { CurrentUser, InvalidCredentials, MachineStatusChanged, NcodApi, NotFound, ValidationFailed } from "@ncod/core"
import { MachinesRepo, OrgUnitsRepo, type UserRecord, UsersRepo } from "@ncod/sql"
import { DateTime, Effect, Option, Redacted } from "effect"
import { actorOf, AuditTrail } from "../audit/AuditTrail.js"
import { clientAddress } from "../auth/ClientAddress.js"
import { LoginThrottle } from "../auth/LoginThrottle.js"
import { passwordProblems } from "../auth/PasswordPolicy.js"
import { RefreshTokens } from "../auth/RefreshTokens.js"
import { EventBus } from "../events/EventBus.js"
import { Passwords } from "./Passwords.js"

/** The signed-in user's own account (open to pending and rejected users). */
export const MeHandlers = HttpApiBuilder.group(NcodApi, "me", (handlers) =>
  Effect.gen(function* () {
    const users = yield* UsersRepo
    const orgUnits = yield* OrgUnitsRepo
    const passwords = yield* Passwords
    const throttle = yield* LoginThrottle
    const refresh = yield* RefreshTokens
    const audit = yield* AuditTrail

    const profileOf = (user: UserRecord) =>
      Effect.map(user.orgUnitId ? orgUnits.pathTo(user.orgUnitId) : Effect.succeed([]), (orgPath) => ({
        user: user.toUser(),
        orgPath
      }))

    const current = Effect.flatMap(CurrentUser, (me) =>
      Effect.flatMap(users.findById(me.userId), (user) =>
        Option.match(user, { onNone: () => Effect.die("the signed-in user vanished"), onSome: Effect.succeed })
      )
    )

    return handlers
      .handle("profile", () => Effect.flatMap(current, profileOf))
      .handle("updateProfile", ({ payload }) =>
        Effect.gen(function* () {
          const me = yield* CurrentUser
          const updated = yield* users.updateProfile(me.userId, payload)
          const user = yield* Option.match(updated, { onNone: () => Effect.die("the signed-in user vanished"), onSome: Effect.succeed })
          yield* audit.record({ ...actorOf(me), action: "user.update_profile", targetType: "user", targetId: me.userId, result: "success", sourceIp: yield* clientAddress, details: { fields: Object.keys(payload) } })
          return yield* profileOf(user)
        })
      )
      .handle("changePassword", ({ payload }) =>
        Effect.gen(function* () {
          const me = yield* CurrentUser
          const user = yield* current
          const address = yield* clientAddress
          yield* throttle.check(user.username, address)
          if (!(yield* passwords.verify(Redacted.make(payload.currentPassword), user.passwordHash))) {
            yield* throttle.failed(user.username, address)
            yield* audit.record({ ...actorOf(me), action: "user.change_password", targetType: "user", targetId: me.userId, result: "failed", sourceIp: address, details: { reason: "wrong current password" } })
            return yield* new InvalidCredentials()
          }
          const problems = [
            ...passwordProblems(payload.newPassword, user),
            ...(payload.newPassword === payload.currentPassword ? ["must differ from the current password"] : [])
          ]
          if (problems.length > 0) {
            return yield* new ValidationFailed({ issues: [{ path: ["newPassword"], message: problems.join("; ") }] })
          }
          yield* users.setPassword(me.userId, yield* passwords.hash(Redacted.make(payload.newPassword)))
          yield* refresh.revokeAll(me.userId)
          yield* audit.record({ ...actorOf(me), action: "user.change_password", targetType: "user", targetId: me.userId, result: "success", sourceIp: address })
        })
      )
  })
)

/** The user's own machine bindings; other users' ids are simply not found. */
export const MyMachinesHandlers = HttpApiBuilder.group(NcodApi, "myMachines", (handlers) =>
  Effect.gen(function* () {
    const machines = yield* MachinesRepo
    const audit = yield* AuditTrail
    const bus = yield* EventBus
    return handlers
      .handle("list", () =>
        Effect.flatMap(CurrentUser, (me) => Effect.map(machines.forUser(me.userId), (rows) => rows.map((row) => row.toMachine())))
      )
      .handle("revoke", ({ path }) =>
        Effect.gen(function* () {
          const me = yield* CurrentUser
          const found = yield* machines.findById(path.id)
          if (Option.isNone(found) || found.value.userId !== me.userId) return yield* new NotFound({ resource: "machine" })
          const revoked = yield* machines.decide(path.id, "revoked", me.userId)
          const machine = yield* Option.match(revoked, { onNone: () => new NotFound({ resource: "machine" }), onSome: Effect.succeed })
          yield* audit.record({ ...actorOf(me), action: "machine.revoke", targetType: "machine", targetId: path.id, result: "success", sourceIp: yield* clientAddress, details: { mac: machine.mac, by: "owner" } })
          yield* bus.publish(new MachineStatusChanged({ machineId: machine.id, userId: me.userId, status: "revoked", at: yield* DateTime.now }))
          return machine.toMachine()
        })
      )
  })
)
