import { DeviceChanged, SlaveStatusChanged } from "@ncod/core"
import { DevicesRepo, SlavesRepo } from "@ncod/sql"
import { DateTime, Duration, Effect, Layer, Option } from "effect"
import { EventBus } from "../events/EventBus.js"
import { repeatRounds, underRoundLock } from "../infra/SingleRun.js"
import { LeaseService } from "../leases/LeaseService.js"
import { Metrics } from "../metrics/Metrics.js"
import { FleetSettings } from "./FleetSettings.js"
import { HeartbeatBatcher } from "./HeartbeatBatcher.js"
import { ReportsInFlight } from "./ReportsInFlight.js"

// pg advisory lock key for the sweep: one master sweeps at a time, the others skip that round
const SWEEP_LOCK = 0x6e636f64_01

/**
 * Marks slaves offline after `offlineAfterMissed` silent intervals, with their devices, and tells
 * everyone. Runs on every master, but each round takes a transaction-scoped advisory lock, so a
 * transition happens once however many masters run. After a (re)start the sweeper waits one full
 * offline period first (as Nomad does after failover): nobody is declared offline for the time the
 * masters themselves were away.
 */
export const OfflineSweeperLive = Layer.scopedDiscard(
  Effect.gen(function* () {
    const slaves = yield* SlavesRepo
    const devices = yield* DevicesRepo
    const bus = yield* EventBus
    const metrics = yield* Metrics
    const settings = yield* FleetSettings
    const leases = yield* LeaseService
    const heartbeats = yield* HeartbeatBatcher
    const inFlight = yield* ReportsInFlight
    const silentSeconds = settings.reportIntervalSeconds * settings.offlineAfterMissed
    const startedAt = Date.now()

    const sweepOnce = Effect.gen(function* () {
      if (Date.now() - startedAt < silentSeconds * 1000) return
      const changes = yield* underRoundLock(
        SWEEP_LOCK,
        Effect.gen(function* () {
          // reports this master has taken but not yet written are not silence
          const heard = [...(yield* heartbeats.unwritten), ...(yield* inFlight.slaves)]
          const silent = yield* slaves.markSilentOffline(silentSeconds, heard)
          const result = []
          for (const slave of silent) {
            const offline = yield* devices.setStateForSlave(slave.id, ["available", "in_use"], "offline")
            yield* devices.insertEvents(offline.map((device) => ({ deviceId: device.id, slaveId: slave.id, kind: "offline" as const, details: {} })))
            result.push({ slave, devices: offline })
          }
          return result
        })
      ).pipe(Effect.map(Option.getOrElse(() => [])))
      const at = yield* DateTime.now
      for (const { devices: offline, slave } of changes) {
        metrics.slaveTransitions.inc({ to: "offline" })
        yield* Effect.logWarning("slave offline").pipe(
          Effect.annotateLogs({ slaveId: slave.id, slave: slave.name, silentSeconds, devices: offline.length })
        )
        yield* bus.publish(new SlaveStatusChanged({ slaveId: slave.id, name: slave.name, status: "offline", accessMode: slave.accessMode, degraded: slave.degraded, at }))
        for (const device of offline) yield* bus.publish(new DeviceChanged({ device, changes: ["state"], at }))
        yield* leases.slaveOffline(slave.id)
      }
    })

    yield* repeatRounds("offline-sweeper", Duration.millis(settings.sweepIntervalMs), sweepOnce)
  })
)
