import { SqlClient } from "@effect/sql"
import {
  type Device,
  DeviceAdded,
  DeviceChanged,
  DeviceRemoved,
  type ReportOutcome,
  type Slave,
  type SlaveId,
  type SlaveReport,
  SlaveDecommissioned,
  SlaveStatusChanged
} from "@ncod/core"
import { DevicesRepo, SlavesRepo } from "@ncod/sql"
import { Context, DateTime, Effect, Layer, Option } from "effect"
import { EventBus } from "../events/EventBus.js"
import { LeaseService } from "../leases/LeaseService.js"
import { Metrics } from "../metrics/Metrics.js"
import { isEmptyPlan, planInventory, stableKeyOf } from "./InventoryDiff.js"

export interface FullIngestResult {
  readonly outcome: ReportOutcome
  /** The slave as stored after the report (None when the report was ignored). */
  readonly slave: Option.Option<Slave>
}

/**
 * The full path of a report: lock the slave's row (serialising its reports across masters), compare
 * with the stored devices, write only the differences and the slave's new state in one
 * transaction, then tell everyone what changed.
 */
export class ReportIngest extends Context.Tag("@ncod/master/ReportIngest")<
  ReportIngest,
  { readonly full: (slaveId: SlaveId, report: SlaveReport, hash: string) => Effect.Effect<FullIngestResult, SlaveDecommissioned> }
>() {}

interface Committed {
  readonly outcome: ReportOutcome
  readonly slave: Option.Option<Slave>
  readonly cameOnline: boolean
  /** Enforcement or vhusbd health changed: users must see it (advisory slaves, degraded ones). */
  readonly conditionChanged: boolean
  readonly added: ReadonlyArray<Device>
  readonly changed: ReadonlyArray<{ readonly device: Device; readonly fields: ReadonlyArray<string> }>
  readonly removed: ReadonlyArray<Device>
}

/**
 * Events built from rows decoded a moment ago need no second validation (validating them took 4 % of
 * the master's CPU while it absorbed a cold fleet: eight devices per first report).
 */
const trusted = { disableValidation: true } as const

const ignored = (outcome: ReportOutcome): Committed => ({
  outcome,
  slave: Option.none(),
  cameOnline: false,
  conditionChanged: false,
  added: [],
  changed: [],
  removed: []
})

export const ReportIngestLive = Layer.effect(
  ReportIngest,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const slaves = yield* SlavesRepo
    const devices = yield* DevicesRepo
    const bus = yield* EventBus
    const metrics = yield* Metrics
    const leases = yield* LeaseService

    const commit = (slaveId: SlaveId, report: SlaveReport, hash: string) =>
      Effect.gen(function* () {
        const lock = yield* slaves.lockForReport(slaveId)
        if (Option.isNone(lock)) return ignored("stale")
        if (lock.value.status === "decommissioned") return yield* new SlaveDecommissioned()
        if (report.seq < lock.value.lastReportSeq) return ignored("stale")
        if (report.seq === lock.value.lastReportSeq) return ignored("duplicate")

        const stored = yield* devices.forDiff(slaveId, report.devices.map(stableKeyOf))
        const plan = planInventory(slaveId, report, stored)
        const added = yield* devices.insertAdded(plan.inserts)
        const changed: Array<{ device: Device; fields: ReadonlyArray<string> }> = []
        for (const update of plan.updates) {
          changed.push({ device: yield* devices.updateOne(update.id, update.changes), fields: Object.keys(update.changes) })
        }
        const removed: Array<Device> = []
        for (const removal of plan.removals) removed.push(yield* devices.updateOne(removal.id, removal.changes))
        yield* devices.insertEvents([...plan.updates, ...plan.removals].flatMap((item) => item.events.map((event) => ({ deviceId: item.id, slaveId, ...event }))))
        const slave = yield* slaves.recordReport(slaveId, {
          seq: report.seq,
          hash,
          agentVersion: report.agentVersion,
          accessMode: report.accessMode,
          degraded: report.degraded,
          vhServerName: report.server.name,
          vhServerVersion: report.server.version,
          vhLicensed: report.server.licensed,
          vhMaxDevices: report.server.maxDevices
        })
        const cameOnline = lock.value.status !== "online"
        const conditionChanged = lock.value.accessMode !== report.accessMode || lock.value.degraded !== report.degraded
        const outcome: ReportOutcome = isEmptyPlan(plan) && !cameOnline && lock.value.inventoryHash === hash ? "unchanged" : "changed"
        return { outcome, slave: Option.some(slave), cameOnline, conditionChanged, added, changed, removed } satisfies Committed
      })

    const announce = (result: Committed) =>
      Effect.gen(function* () {
        if (Option.isNone(result.slave)) return
        const slave = result.slave.value
        const at = yield* DateTime.now
        if (result.cameOnline) {
          metrics.slaveTransitions.inc({ to: "online" })
          yield* Effect.logInfo("slave online").pipe(Effect.annotateLogs({ slaveId: slave.id, slave: slave.name }))
        } else if (result.conditionChanged) {
          yield* Effect.logInfo("slave condition changed").pipe(
            Effect.annotateLogs({ slaveId: slave.id, slave: slave.name, accessMode: slave.accessMode, degraded: slave.degraded })
          )
        }
        if (result.cameOnline || result.conditionChanged) {
          yield* bus.publish(new SlaveStatusChanged({ slaveId: slave.id, name: slave.name, status: "online", accessMode: slave.accessMode, degraded: slave.degraded, at }, trusted))
        }
        for (const device of result.added) {
          yield* Effect.logInfo("device added").pipe(Effect.annotateLogs({ slave: slave.name, deviceId: device.id, product: device.product ?? `${device.vendorId}:${device.productId}` }))
          yield* bus.publish(new DeviceAdded({ device, at }, trusted))
        }
        for (const { device, fields } of result.changed) yield* bus.publish(new DeviceChanged({ device, changes: fields, at }, trusted))
        if (result.cameOnline) yield* leases.slaveOnline(slave.id)
        if (result.removed.length > 0) yield* leases.devicesRemoved(result.removed.map((device) => device.id))
        for (const device of result.removed) {
          yield* Effect.logInfo("device removed").pipe(Effect.annotateLogs({ slave: slave.name, deviceId: device.id, product: device.product ?? `${device.vendorId}:${device.productId}` }))
          yield* bus.publish(new DeviceRemoved({ deviceId: device.id, slaveId: slave.id, at }, trusted))
        }
      })

    return {
      full: (slaveId, report, hash) =>
        Effect.gen(function* () {
          const result = yield* sql.withTransaction(commit(slaveId, report, hash)).pipe(
            Effect.catchTag("SqlError", (error) => Effect.die(error))
          )
          yield* announce(result)
          return { outcome: result.outcome, slave: result.slave }
        })
    }
  })
)
