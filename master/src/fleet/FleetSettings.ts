import { Context, Layer } from "effect"
import type { MasterConfig } from "../config/MasterConfig.js"

/** Timing of the fleet: how often slaves report and when silence means offline. */
export class FleetSettings extends Context.Tag("@ncod/master/FleetSettings")<
  FleetSettings,
  {
    readonly reportIntervalSeconds: number
    /** Silence longer than interval × this marks a slave offline. */
    readonly offlineAfterMissed: number
    readonly sweepIntervalMs: number
    readonly heartbeatFlushMs: number
    /** Enrollments accepted per client address per hour. */
    readonly enrollmentsPerHour: number
  }
>() {
  static readonly layer = (config: MasterConfig) =>
    Layer.succeed(FleetSettings, {
      reportIntervalSeconds: config.reportIntervalSeconds,
      offlineAfterMissed: config.offlineAfterMissed,
      sweepIntervalMs: Math.max(200, Math.min(5_000, (config.reportIntervalSeconds * 1000) / 6)),
      heartbeatFlushMs: Math.max(50, Math.min(500, (config.reportIntervalSeconds * 1000) / 20)),
      enrollmentsPerHour: config.enrollmentsPerHour
    })
}

/** The interval with ±10 % jitter, so a fleet restarted together does not stay in lockstep. */
export const jitteredInterval = (seconds: number) => Math.round(seconds * (0.9 + Math.random() * 0.2) * 10) / 10
