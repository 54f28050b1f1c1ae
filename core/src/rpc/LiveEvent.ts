import { Schema } from "effect"
import { Device } from "../domain/Device.js"
import { Lease } from "../domain/Lease.js"
import { MachineStatus } from "../domain/Machine.js"
import { AccessMode, SlaveStatus } from "../domain/Slave.js"
import { UserStatus } from "../domain/User.js"
import { DeviceId, LeaseId, MachineId, SlaveId, UserId } from "../ids.js"
import { Timestamp } from "../schema/Timestamp.js"

/** Something changed in the fleet, the leases or an account; subscribers see what they may see. */
export class SlaveStatusChanged extends Schema.TaggedClass<SlaveStatusChanged>()("SlaveStatusChanged", {
  slaveId: SlaveId,
  name: Schema.String,
  status: SlaveStatus,
  accessMode: AccessMode,
  degraded: Schema.Boolean,
  at: Timestamp
}) {}

export class DeviceAdded extends Schema.TaggedClass<DeviceAdded>()("DeviceAdded", { device: Device, at: Timestamp }) {}

export class DeviceChanged extends Schema.TaggedClass<DeviceChanged>()("DeviceChanged", {
  device: Device,
  changes: Schema.Array(Schema.String),
  at: Timestamp
}) {}

export class DeviceRemoved extends Schema.TaggedClass<DeviceRemoved>()("DeviceRemoved", {
  deviceId: DeviceId,
  slaveId: SlaveId,
  at: Timestamp
}) {}

export class LeaseChanged extends Schema.TaggedClass<LeaseChanged>()("LeaseChanged", {
  lease: Lease,
  /** The slave the leased device is on: its agent updates its grants from these events. */
  slaveId: SlaveId,
  /** What happened, for notifications: started, activated, suspended, resumed, ended, expiring… */
  transition: Schema.String,
  at: Timestamp
}) {}

export class AccountStatusChanged extends Schema.TaggedClass<AccountStatusChanged>()("AccountStatusChanged", {
  userId: UserId,
  status: UserStatus,
  reason: Schema.NullOr(Schema.String),
  at: Timestamp
}) {}

export class MachineStatusChanged extends Schema.TaggedClass<MachineStatusChanged>()("MachineStatusChanged", {
  machineId: MachineId,
  userId: UserId,
  status: MachineStatus,
  at: Timestamp
}) {}

/** The device a user queued for is free and held for them until `claimExpiresAt`. */
export class WaitlistOffered extends Schema.TaggedClass<WaitlistOffered>()("WaitlistOffered", {
  deviceId: DeviceId,
  userId: UserId,
  claimExpiresAt: Timestamp,
  at: Timestamp
}) {}

/** Someone asked a lease holder to let go of the device. */
export class ReleaseRequested extends Schema.TaggedClass<ReleaseRequested>()("ReleaseRequested", {
  leaseId: LeaseId,
  deviceId: DeviceId,
  holderUserId: UserId,
  requestedBy: Schema.Struct({ userId: UserId, username: Schema.String, displayName: Schema.String }),
  message: Schema.String,
  at: Timestamp
}) {}

/** The holder declined a release request: the asker is told. */
export class ReleaseDeclined extends Schema.TaggedClass<ReleaseDeclined>()("ReleaseDeclined", {
  leaseId: LeaseId,
  deviceId: DeviceId,
  requesterUserId: UserId,
  at: Timestamp
}) {}

/** The subscriber fell behind and events were dropped: reload the state instead of replaying. */
export class Resync extends Schema.TaggedClass<Resync>()("Resync", { reason: Schema.String, at: Timestamp }) {}

export const LiveEvent = Schema.Union(
  SlaveStatusChanged,
  DeviceAdded,
  DeviceChanged,
  DeviceRemoved,
  LeaseChanged,
  AccountStatusChanged,
  MachineStatusChanged,
  WaitlistOffered,
  ReleaseRequested,
  ReleaseDeclined,
  Resync
)
export type LiveEvent = typeof LiveEvent.Type
