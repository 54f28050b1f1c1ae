import type { SlaveReport } from "@ncod/core"
import { Clock, Effect, Either, Option, SubscriptionRef } from "effect"
import { backoffDelayMs } from "../agent/Backoff.js"
import type { Health, MasterState } from "../agent/Health.js"
import type { Signals } from "../agent/Signals.js"
import type { Enrolled } from "../config/Enrollment.js"
import type { EnrollmentSource } from "../config/EnrollmentSource.js"
import type { AgentSettings } from "../config/Settings.js"
import { type AgentApi, classifyFailure, enrolledApi } from "../link/MasterApi.js"
import type { LocalState } from "../scanner/Scanner.js"
import { nextReportDelayMs } from "./ReportSchedule.js"

export interface ReporterDeps {
  readonly settings: AgentSettings
  readonly health: Health
  readonly signals: Signals
  readonly enrollment: EnrollmentSource
  readonly local: SubscriptionRef.SubscriptionRef<LocalState>
  readonly nextSeq: Effect.Effect<number>
  readonly agentVersion: string
  /** Completes when the first scan is done: the first report carries real devices, never a placeholder. */
  readonly firstScan?: Effect.Effect<void> | undefined
}

/** A report from what the scanner knows now: the newest state is always what goes out. */
export const buildReport = (seq: number, agentVersion: string, fallbackName: string, local: LocalState): SlaveReport => ({
  seq,
  agentVersion,
  accessMode: local.accessMode,
  degraded: local.degraded,
  server: local.server ?? { name: fallbackName.slice(0, 255), version: null, licensed: false, maxDevices: null },
  devices: local.devices
})

const REQUEST_TIMEOUT = "15 seconds"
/** Two reports are never closer than this: a burst of plugs becomes one or two reports. */
const MIN_SPACING_MS = 100

const messages: Record<MasterState, string> = {
  starting: "",
  "not-enrolled": "not enrolled: run `ncod-slave enroll --master <url> --token <token>`",
  reachable: "master reachable: reports accepted",
  unreachable: "master unreachable: retrying with backoff",
  rejected: "the master rejects this slave's credential: enroll again",
  decommissioned: "this slave is decommissioned: reports pause until an admin re-admits it",
  "refused-report": "the master refused the report"
}

/**
 * Reporter: posts the full device report at the interval the master asks for (it carries jitter),
 * counted from when the previous report was sent (ReportSchedule), at once after a change, and
 * with backoff while the master is away. Each state change of the
 * master is one log line; retries are silent.
 */
export const makeReporter = ({ agentVersion, enrollment, firstScan = Effect.void, health, local, nextSeq, settings, signals }: ReporterDeps) => {
  const setState = (state: MasterState, detail: string | null, extra: Record<string, unknown> = {}) =>
    Effect.gen(function* () {
      if (!(yield* health.transition("master", state, detail))) return
      const log = state === "reachable" ? Effect.logInfo(messages[state]) : Effect.logWarning(messages[state])
      yield* log.pipe(Effect.annotateLogs({ ...extra, ...(detail === null ? {} : { reason: detail }) }))
      if (state === "reachable") yield* signals.masterBackForLink.wake
    })

  const run: Effect.Effect<never> = Effect.gen(function* () {
    let api: { readonly version: number; readonly api: AgentApi } | undefined
    let failures = 0
    for (;;) {
      const current = yield* enrollment.current
      if (Option.isNone(current)) {
        yield* setState("not-enrolled", null)
        yield* enrollment.waitUnlessChanged("1 hour", signals.enrollmentChanged, 0)
        continue
      }
      const enrolled: Enrolled = current.value
      if (api === undefined || api.version !== enrolled.version) {
        api = { version: enrolled.version, api: yield* enrolledApi(enrolled) }
        failures = 0
      }
      // the client above was built while the first scan ran; now wait for that scan
      yield* firstScan
      // a change after this point leaves its wake-up for the next round
      yield* signals.inventoryChanged.clear
      const report = buildReport(yield* nextSeq, agentVersion, enrolled.record.name, yield* SubscriptionRef.get(local))
      const sent = yield* Clock.currentTimeMillis
      yield* Effect.logTrace("report sending").pipe(Effect.annotateLogs({ seq: report.seq }))
      const answer = yield* Effect.either(api.api.report({ path: { id: enrolled.record.slaveId }, payload: report }).pipe(Effect.timeout(REQUEST_TIMEOUT)))
      const context = { slaveId: enrolled.record.slaveId, master: enrolled.record.masterUrl }
      if (Either.isRight(answer)) {
        failures = 0
        const ack = answer.right
        const seconds = Math.min(Math.max(ack.nextReportInSeconds, 0.2), settings.reportIntervalSeconds ?? 3600, 3600)
        const answered = yield* Clock.currentTimeMillis
        const delay = nextReportDelayMs(sent, answered, seconds)
        yield* health.update((h) => ({
          ...h,
          lastReport: { at: new Date(sent).toISOString(), seq: report.seq, outcome: ack.outcome, devices: report.devices.length },
          nextReportAt: new Date(answered + delay).toISOString()
        }))
        yield* setState("reachable", null, context)
        yield* Effect.logDebug("report sent").pipe(Effect.annotateLogs({ seq: report.seq, outcome: ack.outcome, devices: report.devices.length, degraded: report.degraded }))
        if (yield* signals.inventoryChanged.sleepOrWake(delay)) yield* Effect.sleep(MIN_SPACING_MS)
        continue
      }
      const failure = classifyFailure(answer.left)
      switch (failure.kind) {
        case "unreachable": {
          yield* setState("unreachable", failure.detail, context)
          const delay = backoffDelayMs(failures++, settings.backoffBaseSeconds, settings.backoffCapSeconds)
          yield* health.update((h) => ({ ...h, nextReportAt: new Date(sent + delay).toISOString() }))
          yield* signals.masterBackForReports.sleepOrWake(delay)
          break
        }
        case "refused": {
          yield* setState("refused-report", failure.detail, context)
          const seconds = Math.min(enrolled.record.reportIntervalSeconds, settings.reportIntervalSeconds ?? 3600)
          yield* signals.inventoryChanged.sleepOrWake(seconds * 1000)
          break
        }
        case "rejected":
        case "decommissioned": {
          // re-enrolled while this report was on its way: the new credential goes out at once
          if (failure.kind === "rejected" && (yield* enrollment.changedSince(enrolled.version))) break
          yield* setState(failure.kind, failure.detail, context)
          yield* enrollment.waitUnlessChanged(settings.decommissionedRetrySeconds * 1000, signals.masterBackForReports, enrolled.version)
          break
        }
      }
    }
  })

  return { run }
}
