import { Schema } from "effect"

/** Every entity id is a UUID with its own brand, so a device id can never be passed as a user id. */
const uuidId = <const B extends string>(brand: B) =>
  Schema.UUID.pipe(Schema.brand(brand), Schema.annotations({ identifier: brand }))

export const OrgUnitId = uuidId("OrgUnitId")
export type OrgUnitId = typeof OrgUnitId.Type
export const UserId = uuidId("UserId")
export type UserId = typeof UserId.Type
export const MachineId = uuidId("MachineId")
export type MachineId = typeof MachineId.Type
export const SlaveId = uuidId("SlaveId")
export type SlaveId = typeof SlaveId.Type
export const DeviceId = uuidId("DeviceId")
export type DeviceId = typeof DeviceId.Type
export const GrantId = uuidId("GrantId")
export type GrantId = typeof GrantId.Type
export const LeaseId = uuidId("LeaseId")
export type LeaseId = typeof LeaseId.Type
export const AuditEventId = uuidId("AuditEventId")
export type AuditEventId = typeof AuditEventId.Type
export const DeviceEventId = uuidId("DeviceEventId")
export type DeviceEventId = typeof DeviceEventId.Type
export const EnrollmentTokenId = uuidId("EnrollmentTokenId")
export type EnrollmentTokenId = typeof EnrollmentTokenId.Type
