import { HttpApiBuilder } from "@effect/platform"
import { CurrentSlave, Forbidden, NcodApi, RateLimited, SlaveDecommissioned, type SlaveId, SlaveStatusChanged, Unauthenticated } from "@ncod/core"
import { EnrollmentTokensRepo, SlavesRepo } from "@ncod/sql"
import { DateTime, Effect, Option } from "effect"
import { createHash, randomUUID } from "node:crypto"
import { AuditTrail } from "../audit/AuditTrail.js"
import { clientAddress } from "../auth/ClientAddress.js"
import { EventBus } from "../events/EventBus.js"
import { EphemeralStore } from "../infra/EphemeralStore.js"
import { Metrics } from "../metrics/Metrics.js"
import { FleetSettings, jitteredInterval } from "./FleetSettings.js"
import { FleetSupervisor } from "./FleetSupervisor.js"
import { newCredential, SlaveCredentials } from "./SlaveCredentials.js"

export const hashEnrollmentToken = (token: string) => createHash("sha256").update(token).digest("hex")

/** A free name: the asked one, or the asked one with a number when another slave has it. */
const freeName = (slaves: typeof SlavesRepo.Service, wanted: string) =>
  Effect.gen(function* () {
    for (let n = 1; n < 1000; n++) {
      const candidate = n === 1 ? wanted : `${wanted}-${n}`
      if (!(yield* slaves.nameTaken(candidate, null))) return candidate
    }
    return `${wanted}-${Date.now()}`
  })

export const SlaveAgentHandlers = HttpApiBuilder.group(NcodApi, "slaveAgent", (handlers) =>
  Effect.gen(function* () {
    const slaves = yield* SlavesRepo
    const tokens = yield* EnrollmentTokensRepo
    const credentials = yield* SlaveCredentials
    const supervisor = yield* FleetSupervisor
    const settings = yield* FleetSettings
    const audit = yield* AuditTrail
    const bus = yield* EventBus
    const store = yield* EphemeralStore
    const metrics = yield* Metrics

    return handlers
      .handle("enroll", ({ payload }) =>
        Effect.gen(function* () {
          const address = yield* clientAddress
          if ((yield* store.increment(`enroll:${address}`, 3600)) > settings.enrollmentsPerHour) {
            return yield* new RateLimited({ retryAfterSeconds: Option.getOrElse(yield* store.ttl(`enroll:${address}`), () => 3600) })
          }
          const known = yield* slaves.findByFingerprint(payload.fingerprint)
          if (Option.isSome(known) && known.value.status === "decommissioned") {
            yield* audit.record({ actorKind: "slave", actorId: known.value.id, actorName: known.value.name, action: "slave.enroll", result: "denied", sourceIp: address, details: { reason: "decommissioned" } })
            return yield* new SlaveDecommissioned()
          }
          const token = yield* tokens.consume(hashEnrollmentToken(payload.token))
          if (Option.isNone(token)) {
            yield* audit.record({ actorKind: "anonymous", actorName: payload.name, action: "slave.enroll", result: "denied", sourceIp: address, details: { reason: "invalid token" } })
            return yield* new Unauthenticated()
          }
          const slaveId = Option.match(known, { onNone: () => randomUUID() as SlaveId, onSome: (existing) => existing.id })
          const { credential, hash } = newCredential(slaveId)
          const slave = Option.isSome(known)
            ? yield* slaves.reenroll(slaveId, { host: payload.host, vhPort: payload.vhPort, agentVersion: payload.agentVersion, credentialHash: hash })
            : yield* slaves.insert({
                id: slaveId,
                name: yield* freeName(slaves, payload.name),
                host: payload.host,
                vhPort: payload.vhPort,
                fingerprint: payload.fingerprint,
                agentVersion: payload.agentVersion,
                labels: payload.labels,
                credentialHash: hash
              })
          yield* credentials.forget(slave.id)
          yield* supervisor.enrolled(slave.id)
          yield* audit.record({ actorKind: "slave", actorId: slave.id, actorName: slave.name, action: "slave.enroll", targetType: "slave", targetId: slave.id, result: "success", sourceIp: address, details: { tokenId: token.value.id, reenrolled: Option.isSome(known), host: payload.host } })
          yield* bus.publish(new SlaveStatusChanged({ slaveId: slave.id, name: slave.name, status: slave.status, accessMode: slave.accessMode, degraded: slave.degraded, at: yield* DateTime.now }))
          return { slaveId: slave.id, credential, reportIntervalSeconds: settings.reportIntervalSeconds }
        })
      )
      .handle("report", ({ path, payload }) =>
        Effect.gen(function* () {
          const started = performance.now()
          const caller = yield* CurrentSlave
          if (caller.slaveId !== path.id) {
            metrics.reportsRejected.inc({ reason: "wrong_slave" })
            return yield* new Forbidden()
          }
          const outcome = yield* supervisor.submit(caller.slaveId, payload).pipe(
            Effect.catchTag("SlaveDecommissioned", (error) =>
              Effect.zipRight(Effect.sync(() => metrics.reportsRejected.inc({ reason: "decommissioned" })), Effect.fail(error))
            )
          )
          metrics.ingestDuration.observe((performance.now() - started) / 1000)
          return { outcome, nextReportInSeconds: jitteredInterval(settings.reportIntervalSeconds) }
        })
      )
      .handle("deregister", ({ path }) =>
        Effect.gen(function* () {
          const caller = yield* CurrentSlave
          if (caller.slaveId !== path.id) return yield* new Forbidden()
          yield* supervisor.stop(caller.slaveId)
          yield* slaves.remove(caller.slaveId)
          yield* credentials.forget(caller.slaveId)
          yield* audit.record({ actorKind: "slave", actorId: caller.slaveId, actorName: caller.name, action: "slave.deregister", targetType: "slave", targetId: caller.slaveId, result: "success", sourceIp: yield* clientAddress })
          yield* bus.publish(new SlaveStatusChanged({ slaveId: caller.slaveId, name: caller.name, status: "decommissioned", accessMode: "advisory", degraded: false, at: yield* DateTime.now }))
        })
      )
  })
)
