import { Clock, Effect, Either, Logger, LogLevel, Option, Redacted, Stream } from "effect"
import { backoffDelayMs } from "../agent/Backoff.js"
import type { Health, LinkState } from "../agent/Health.js"
import type { Signals } from "../agent/Signals.js"
import type { EnrollmentSource } from "../config/EnrollmentSource.js"
import type { AgentSettings } from "../config/Settings.js"
import type { Grants } from "./Grants.js"
import { classifyFailure } from "./MasterApi.js"
import { slaveLinkClient } from "./SlaveLinkClient.js"

export interface MasterLinkDeps {
  readonly settings: AgentSettings
  readonly health: Health
  readonly signals: Signals
  readonly enrollment: EnrollmentSource
  readonly grants: Grants
}

const messages: Record<LinkState, string> = {
  starting: "",
  "not-enrolled": "",
  connected: "grants link to the master up",
  disconnected: "grants link to the master down: reconnecting with backoff",
  rejected: "the master refuses the grants link for this credential",
  decommissioned: "this slave is decommissioned: no grants"
}

/** A link that stayed up this long resets the backoff. */
const STABLE_AFTER_MS = 30_000

/**
 * MasterLink: holds the live grants stream (`SlaveGrants` over WebSocket RPC). The master sends a
 * snapshot first and every minute, and each grant or revocation in between. When the stream ends
 * or fails it reconnects with capped, jittered backoff, logging once per state change; a report
 * getting through wakes it early, and its own reconnection wakes the reporter, so the newest state
 * reaches a master that comes back before anything else.
 */
export const makeMasterLink = ({ enrollment, grants, health, settings, signals }: MasterLinkDeps) => {
  const setState = (state: LinkState, detail: string | null) =>
    Effect.gen(function* () {
      if (!(yield* health.transition("link", state, detail)) || messages[state] === "") return
      const log = state === "connected" ? Effect.logInfo(messages[state]) : Effect.logWarning(messages[state])
      yield* log.pipe(Effect.annotateLogs(detail === null ? {} : { reason: detail }))
    })

  /** One connection: runs until the stream ends or fails; reports whether anything arrived. */
  const connectOnce = (masterUrl: string, ca: string, credential: Redacted.Redacted<string>) =>
    Effect.gen(function* () {
      let received = 0
      const client = yield* slaveLinkClient(masterUrl, ca)
      const outcome = yield* client.SlaveGrants({ credential: Redacted.value(credential) }).pipe(
        Stream.runForEach((message) =>
          Effect.gen(function* () {
            if (received++ === 0) {
              yield* setState("connected", null)
              yield* signals.masterBackForReports.wake
            }
            yield* grants.apply(message, yield* Clock.currentTimeMillis)
          })
        ),
        Effect.either
      )
      return { received, outcome }
    }).pipe(
      Effect.scoped,
      // the RPC client's socket fibers log each failed attempt at debug level: one line per retry
      // is exactly what this agent promises not to write, so below info they stay quiet
      Logger.withMinimumLogLevel(LogLevel.Info)
    )

  const run: Effect.Effect<never> = Effect.gen(function* () {
    let failures = 0
    for (;;) {
      const current = yield* enrollment.current
      if (Option.isNone(current)) {
        yield* setState("not-enrolled", null)
        yield* enrollment.waitUnlessChanged("1 hour", signals.enrollmentChanged, 0)
        continue
      }
      const { ca, record, version } = current.value
      const started = yield* Clock.currentTimeMillis
      const { outcome, received } = yield* connectOnce(record.masterUrl, ca, record.credential)
      const lasted = (yield* Clock.currentTimeMillis) - started
      if (received > 0 && lasted >= STABLE_AFTER_MS) failures = 0
      const failure = Either.isLeft(outcome) ? classifyFailure(outcome.left) : { kind: "unreachable" as const, detail: "the master ended the stream" }
      if (failure.kind === "decommissioned" || failure.kind === "rejected") {
        if (failure.kind === "rejected" && (yield* enrollment.changedSince(version))) continue
        yield* setState(failure.kind, failure.detail)
        if (failure.kind === "decommissioned") yield* grants.clear
        yield* enrollment.waitUnlessChanged(settings.decommissionedRetrySeconds * 1000, signals.masterBackForLink, version)
        continue
      }
      yield* setState("disconnected", failure.detail)
      // a stream that delivered something and then dropped gets one quick retry before backing off
      const delay = received > 0 && failures === 0 ? 200 : backoffDelayMs(failures, settings.backoffBaseSeconds, settings.backoffCapSeconds)
      failures++
      yield* signals.masterBackForLink.sleepOrWake(delay)
    }
  })

  return { run }
}
