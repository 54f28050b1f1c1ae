import { HttpApiEndpoint, HttpApiGroup, HttpApiMiddleware, HttpApiSecurity } from "@effect/platform"
import { Context, Schema } from "effect"
import { AccessMode } from "../domain/Slave.js"
import { Forbidden, RateLimited, Unauthenticated, ValidationFailed } from "../errors/ApiErrors.js"
import { SlaveDecommissioned } from "../errors/AuthErrors.js"
import { SlaveId } from "../ids.js"
import { Labels, UsbId, Text } from "../schema/Text.js"
import { strict } from "./shared.js"

// NUL is refused in every string (PostgreSQL cannot store it); the agent strips it from USB
// descriptor strings before it reports them
const text = Text
const singleLine = (max: number) =>
  Schema.String.pipe(Schema.maxLength(max), Schema.pattern(/^[^\u0000-\u001f\u007f]*$/, { message: () => "must not contain control characters" }))

/** One USB device as the slave's agent sees it (VirtualHere client state + sysfs). */
export const ReportedDevice = Schema.Struct({
  /** `<server name>.<n>`: what the VirtualHere client uses to address the device. */
  vhAddress: singleLine(300).pipe(Schema.minLength(3)),
  vendorId: UsbId,
  productId: UsbId,
  manufacturer: Schema.NullOr(text(256)),
  product: Schema.NullOr(text(256)),
  serial: Schema.NullOr(text(256)),
  /** sysfs port path such as `1-1.4`: identifies devices without a serial number. */
  busPath: Schema.NullOr(Schema.String.pipe(Schema.pattern(/^\d{1,3}-\d{1,3}(\.\d{1,3}){0,6}$/))),
  speed: Schema.NullOr(text(32)),
  deviceClass: Schema.NullOr(text(32)),
  nickname: Schema.NullOr(text(256)),
  /** The VirtualHere client id bound to the device (`Full Name (user)`), or null. */
  boundClient: Schema.NullOr(text(512))
})
export type ReportedDevice = typeof ReportedDevice.Type

export const VhServerStatus = Schema.Struct({
  name: singleLine(255),
  version: Schema.NullOr(text(64)),
  licensed: Schema.Boolean,
  maxDevices: Schema.NullOr(Schema.Int)
})

export const MAX_REPORTED_DEVICES = 256

/** The full device list of a slave, sent every interval and at once after a change. */
export const SlaveReport = Schema.Struct({
  /** Increases with every report; the master ignores duplicates and anything older than it has seen. */
  seq: Schema.Int.pipe(Schema.between(1, Number.MAX_SAFE_INTEGER)),
  agentVersion: text(64),
  accessMode: AccessMode,
  /** vhusbd is not answering: devices may be listed from an old state. */
  degraded: Schema.Boolean,
  server: VhServerStatus,
  devices: Schema.Array(ReportedDevice).pipe(Schema.maxItems(MAX_REPORTED_DEVICES))
}).annotations(strict)
export type SlaveReport = typeof SlaveReport.Type

export const ReportOutcome = Schema.Literal("changed", "unchanged", "duplicate", "stale")
export type ReportOutcome = typeof ReportOutcome.Type

export const ReportAck = Schema.Struct({
  outcome: ReportOutcome,
  /**
   * When to send the next report, counted from when this one was sent: the interval with jitter, so
   * a fleet restarted together spreads out (the agent's rule for late answers: slave/src/reporter/ReportSchedule.ts).
   */
  nextReportInSeconds: Schema.Number
})
export type ReportAck = typeof ReportAck.Type

export const EnrollRequest = Schema.Struct({
  token: Text(200),
  name: singleLine(120).pipe(Schema.minLength(1)),
  /** Where users' VirtualHere clients reach this slave's vhusbd. */
  host: singleLine(255).pipe(Schema.minLength(1)),
  vhPort: Schema.Int.pipe(Schema.between(1, 65535)),
  /** Stable identity of the machine (e.g. /etc/machine-id): re-enrolling keeps the slave's id. */
  fingerprint: singleLine(200).pipe(Schema.minLength(8)),
  agentVersion: text(64),
  labels: Schema.optionalWith(Labels, { default: () => ({}) })
}).annotations(strict)

export const Enrollment = Schema.Struct({
  slaveId: SlaveId,
  /** The slave's secret, shown once: send it as `Authorization: Bearer <credential>`. */
  credential: Schema.String,
  reportIntervalSeconds: Schema.Int
})
export type Enrollment = typeof Enrollment.Type

export interface SlaveIdentity {
  readonly slaveId: SlaveId
  readonly name: string
}

export class CurrentSlave extends Context.Tag("@ncod/core/CurrentSlave")<CurrentSlave, SlaveIdentity>() {}

/** Slaves authenticate with their enrollment credential: cheap to check, never bcrypt per report. */
export class SlaveAuth extends HttpApiMiddleware.Tag<SlaveAuth>()("SlaveAuth", {
  failure: Schema.Union(Unauthenticated, SlaveDecommissioned),
  provides: CurrentSlave,
  security: { bearer: HttpApiSecurity.bearer }
}) {}

const bySlave = Schema.Struct({ id: SlaveId })

/** What a slave's agent calls: enroll once, then report, and deregister when it leaves. */
export class SlaveAgentApi extends HttpApiGroup.make("slaveAgent")
  .add(
    HttpApiEndpoint.post("enroll", "/enroll")
      .setPayload(EnrollRequest)
      .addSuccess(Enrollment)
      .addError(Unauthenticated)
      .addError(SlaveDecommissioned)
      .addError(RateLimited)
  )
  .add(
    HttpApiEndpoint.post("report", "/:id/reports")
      .setPath(bySlave)
      .setPayload(SlaveReport)
      .addSuccess(ReportAck)
      .addError(Forbidden)
      .middleware(SlaveAuth)
  )
  .add(
    HttpApiEndpoint.del("deregister", "/:id")
      .setPath(bySlave)
      .addSuccess(Schema.Void, { status: 204 })
      .addError(Forbidden)
      .middleware(SlaveAuth)
  )
  .addError(ValidationFailed)
  .prefix("/api/v1/slaves")
{}
