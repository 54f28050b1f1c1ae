import { HttpApiBuilder, HttpServerRequest } from "@effect/platform"
import {
  AccountDisabled,
  AccountPending,
  AccountRejected,
  AccountStatusChanged,
  ClientChallenge,
  Forbidden,
  InvalidCredentials,
  MachinePending,
  MachineRevoked,
  MachineStatusChanged,
  MachineUntrusted,
  NcodApi,
  RateLimited,
  Unauthenticated,
  UsernameTaken,
  ValidationFailed
} from "@ncod/core"
import { MachinesRepo, OrgUnitsRepo, type UserRecord, UsersRepo } from "@ncod/sql"
import { DateTime, Effect, Option, Redacted } from "effect"
import { randomBytes } from "node:crypto"
import { Passwords } from "../accounts/Passwords.js"
import { AuditTrail } from "../audit/AuditTrail.js"
import { EventBus } from "../events/EventBus.js"
import { EphemeralStore } from "../infra/EphemeralStore.js"
import { AccessControl } from "./AccessControl.js"
import { AccessTokens } from "./AccessTokens.js"
import { AuthSettings } from "./AuthSettings.js"
import { clientAddress } from "./ClientAddress.js"
import { LoginThrottle } from "./LoginThrottle.js"
import { keyThumbprint, verifyChallengeSignature } from "./MachineProof.js"
import { passwordProblems } from "./PasswordPolicy.js"
import { RefreshTokens } from "./RefreshTokens.js"
import { Sessions } from "./Sessions.js"

const CHALLENGE_TTL_SECONDS = 120
const CHALLENGES_PER_MINUTE = 60

const fieldError = (field: string, message: string) => new ValidationFailed({ issues: [{ path: [field], message }] })

export const AuthHandlers = HttpApiBuilder.group(NcodApi, "auth", (handlers) =>
  Effect.gen(function* () {
    const users = yield* UsersRepo
    const orgUnits = yield* OrgUnitsRepo
    const machines = yield* MachinesRepo
    const passwords = yield* Passwords
    const throttle = yield* LoginThrottle
    const sessions = yield* Sessions
    const refresh = yield* RefreshTokens
    const accessTokens = yield* AccessTokens
    const access = yield* AccessControl
    const audit = yield* AuditTrail
    const store = yield* EphemeralStore
    const bus = yield* EventBus
    const settings = yield* AuthSettings
    // Unknown usernames are checked against this hash so they cost what a real check costs.
    const decoyHash = Redacted.make(yield* passwords.hash(Redacted.make(randomBytes(16).toString("hex"))))

    /** Password check shared by both sign-ins: throttled, constant-time, no enumeration. */
    const checkPassword = (username: string, password: string, audience: string) =>
      Effect.gen(function* () {
        const address = yield* clientAddress
        yield* throttle.check(username, address).pipe(
          Effect.tapError(() =>
            audit.record({ actorKind: "anonymous", actorName: username, action: "auth.login", result: "denied", sourceIp: address, details: { audience, reason: "locked" } })
          )
        )
        const user = yield* users.findByUsername(username)
        const matches = yield* passwords.verify(
          Redacted.make(password),
          Option.match(user, { onNone: () => decoyHash, onSome: (u) => u.passwordHash })
        )
        if (Option.isNone(user) || !matches) {
          const locks = yield* throttle.failed(username, address)
          yield* audit.record({ actorKind: "anonymous", actorName: username, action: "auth.login", result: "failed", sourceIp: address, details: { audience, reason: "bad credentials" } })
          if (locks.lockedAccount || locks.lockedAddress) {
            yield* audit.record({ actorKind: "system", action: "auth.lockout", targetType: "user", targetId: username, result: "success", sourceIp: address, details: locks })
          }
          return yield* new InvalidCredentials()
        }
        yield* throttle.succeeded(username)
        return { user: user.value, address }
      })

    const denied = (user: UserRecord, address: string, audience: string, reason: string) =>
      audit.record({ actorKind: user.role === "admin" ? "admin" : "user", actorId: user.id, actorName: user.username, action: "auth.login", result: "denied", sourceIp: address, details: { audience, reason } })

    const succeeded = (user: UserRecord, address: string, audience: string, details: Record<string, unknown> = {}) =>
      audit.record({ actorKind: user.role === "admin" ? "admin" : "user", actorId: user.id, actorName: user.username, action: "auth.login", result: "success", sourceIp: address, details: { audience, ...details } })

    return handlers
      .handle("register", ({ payload }) =>
        Effect.gen(function* () {
          const address = yield* clientAddress
          const attempts = yield* store.increment(`register:${address}`, 3600)
          if (attempts > settings.registrationsPerHour) {
            const wait = Option.getOrElse(yield* store.ttl(`register:${address}`), () => 3600)
            return yield* new RateLimited({ retryAfterSeconds: wait })
          }
          const path = yield* orgUnits.pathTo(payload.orgUnitId)
          const unit = Option.fromNullable(path[path.length - 1])
          if (Option.isNone(unit) || path.some((step) => step.retiredAt !== null)) {
            return yield* fieldError("orgUnitId", "choose a project department from the list")
          }
          if (unit.value.kind !== "project_department") return yield* fieldError("orgUnitId", "choose a project department, not a company or organization")
          const problems = passwordProblems(payload.password, payload)
          if (problems.length > 0) return yield* fieldError("password", problems.join("; "))
          const created = yield* users.insert({
            username: payload.username,
            displayName: payload.displayName,
            email: payload.email,
            phone: payload.phone,
            passwordHash: yield* passwords.hash(Redacted.make(payload.password)),
            role: "user",
            status: "pending",
            orgUnitId: payload.orgUnitId,
            mustChangePassword: false
          })
          if (Option.isNone(created)) return yield* new UsernameTaken()
          const user = created.value
          yield* audit.record({ actorKind: "user", actorId: user.id, actorName: user.username, action: "user.register", targetType: "user", targetId: user.id, result: "success", sourceIp: address, details: { orgUnitId: payload.orgUnitId } })
          yield* bus.publish(new AccountStatusChanged({ userId: user.id, status: "pending", reason: null, at: yield* DateTime.now }))
          return user.toUser()
        })
      )
      .handle("login", ({ payload }) =>
        Effect.gen(function* () {
          const { address, user } = yield* checkPassword(payload.username, payload.password, payload.audience)
          if (user.status === "disabled") {
            yield* denied(user, address, payload.audience, "disabled")
            return yield* new AccountDisabled()
          }
          if (payload.audience === "admin" && (user.role !== "admin" || user.status !== "approved")) {
            yield* denied(user, address, payload.audience, "not an admin")
            return yield* new Forbidden()
          }
          yield* succeeded(user, address, payload.audience)
          return yield* sessions.open(user, payload.audience, null)
        })
      )
      .handle("clientChallenge", () =>
        Effect.gen(function* () {
          const address = yield* clientAddress
          if ((yield* store.increment(`challenge-rate:${address}`, 60)) > CHALLENGES_PER_MINUTE) {
            return yield* new RateLimited({ retryAfterSeconds: Option.getOrElse(yield* store.ttl(`challenge-rate:${address}`), () => 60) })
          }
          const challenge = randomBytes(32).toString("base64url")
          yield* store.set(`challenge:${challenge}`, "1", CHALLENGE_TTL_SECONDS)
          return ClientChallenge.make({
            challenge,
            expiresAt: DateTime.unsafeMake(Date.now() + CHALLENGE_TTL_SECONDS * 1000)
          })
        })
      )
      .handle("clientLogin", ({ payload }) =>
        Effect.gen(function* () {
          // the challenge is spent first, whatever follows: a signature can be used once only
          if (Option.isNone(yield* store.take(`challenge:${payload.challenge}`))) {
            return yield* fieldError("challenge", "expired or already used: request a new challenge")
          }
          if (!(yield* verifyChallengeSignature(payload.publicKey, payload.challenge, payload.signature))) {
            return yield* fieldError("signature", "does not verify with the given public key")
          }
          const { address, user } = yield* checkPassword(payload.username, payload.password, "client")
          if (user.status === "disabled") {
            yield* denied(user, address, "client", "disabled")
            return yield* new AccountDisabled()
          }
          if (user.status === "pending") return yield* new AccountPending()
          if (user.status === "rejected") return yield* new AccountRejected({ reason: user.statusReason })

          const thumbprint = yield* keyThumbprint(payload.publicKey)
          const bindings = yield* machines.forUserAndMacs(user.id, payload.macs)
          const approved = bindings.filter((binding) => binding.status === "approved")
          const trusted = approved.find((binding) => binding.keyThumbprint === thumbprint)
          const unkeyed = approved.find((binding) => binding.keyThumbprint === null)
          let machine = trusted
          if (machine === undefined && unkeyed !== undefined) {
            // an admin registered this MAC in advance: its first sign-in fixes the key
            machine = Option.getOrUndefined(yield* machines.attachKey(unkeyed.id, payload.publicKey, thumbprint))
          }
          if (machine === undefined) {
            if (approved.length > 0) {
              yield* denied(user, address, "client", "machine key mismatch")
              return yield* new MachineUntrusted()
            }
            const revoked = bindings.find((binding) => binding.status === "revoked")
            if (revoked !== undefined) {
              yield* denied(user, address, "client", "machine revoked")
              return yield* new MachineRevoked({ mac: revoked.mac })
            }
            const mac = bindings.find((binding) => binding.status === "pending")?.mac ?? payload.macs[0]!
            const request = yield* machines.request({ userId: user.id, mac, hostname: payload.hostname, publicKey: payload.publicKey, keyThumbprint: thumbprint })
            if (Option.isSome(request) && !bindings.some((binding) => binding.id === request.value.id)) {
              yield* audit.record({ actorKind: "user", actorId: user.id, actorName: user.username, action: "machine.request", targetType: "machine", targetId: request.value.id, result: "success", sourceIp: address, details: { mac, hostname: payload.hostname } })
              yield* bus.publish(new MachineStatusChanged({ machineId: request.value.id, userId: user.id, status: "pending", at: yield* DateTime.now }))
            }
            yield* denied(user, address, "client", "machine pending")
            return yield* new MachinePending({ mac })
          }
          yield* machines.touch(machine.id, payload.hostname)
          yield* succeeded(user, address, "client", { machineId: machine.id, mac: machine.mac })
          return yield* sessions.open(user, "client", machine.id)
        })
      )
      .handle("refresh", ({ payload }) =>
        Effect.gen(function* () {
          const address = yield* clientAddress
          const grant = yield* refresh.spend(payload.refreshToken).pipe(
            Effect.catchTag("ReuseDetected", ({ grant }) =>
              Effect.zipRight(
                audit.record({ actorKind: "anonymous", actorId: grant.userId, action: "auth.refresh_reuse", targetType: "user", targetId: grant.userId, result: "denied", sourceIp: address, details: { audience: grant.audience } }),
                Effect.fail(new Unauthenticated())
              )
            )
          )
          const user = yield* users.findById(grant.userId)
          if (Option.isNone(user) || user.value.status === "disabled") return yield* new Unauthenticated()
          if (grant.audience === "admin" && (user.value.role !== "admin" || user.value.status !== "approved")) {
            return yield* new Unauthenticated()
          }
          if (grant.audience === "client") {
            const machine = grant.machineId ? yield* machines.findById(grant.machineId) : Option.none()
            if (Option.isNone(machine) || machine.value.status !== "approved") return yield* new Unauthenticated()
          }
          return yield* sessions.open(user.value, grant.audience, grant.machineId, grant.familyId)
        })
      )
      .handle("logout", ({ payload }) =>
        Effect.gen(function* () {
          const address = yield* clientAddress
          const grant = yield* refresh.revokeFamilyOf(payload.refreshToken)
          const request = yield* HttpServerRequest.HttpServerRequest
          const bearer = request.headers["authorization"]?.match(/^Bearer (.+)$/i)?.[1]
          if (bearer) {
            yield* accessTokens.verify(bearer, ["portal", "client", "admin"]).pipe(
              Effect.flatMap((claims) => access.revoke(claims)),
              Effect.ignore
            )
          }
          if (Option.isSome(grant)) {
            yield* audit.record({ actorKind: "user", actorId: grant.value.userId, action: "auth.logout", result: "success", sourceIp: address, details: { audience: grant.value.audience } })
          }
        })
      )
  })
)
