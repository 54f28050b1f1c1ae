import { Rpc, RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { Unauthenticated } from "../errors/ApiErrors.js"
import { SlaveDecommissioned } from "../errors/AuthErrors.js"
import { DeviceId, LeaseId, UserId } from "../ids.js"
import { Timestamp } from "../schema/Timestamp.js"

/**
 * Who may bind which device on this slave right now: the slave's authorization hook allows a
 * VirtualHere bind only when a grant names the device and the binding client.
 */
export const SlaveGrant = Schema.Struct({
  leaseId: LeaseId,
  deviceId: DeviceId,
  /** How the agent recognises the device in vhusbd's hook: vendor/product/serial or port path. */
  stableKey: Schema.String,
  vhAddress: Schema.String,
  vendorId: Schema.String,
  productId: Schema.String,
  serial: Schema.NullOr(Schema.String),
  busPath: Schema.NullOr(Schema.String),
  /** The VirtualHere client id allowed to bind (`Full Name (username)`), as the client reported it. */
  clientIdentity: Schema.String,
  /** MD5 (hex) of the one-time bind password the lease holder's client sends with USE. */
  bindPasswordMd5: Schema.NullOr(Schema.String),
  userId: UserId,
  username: Schema.String,
  expiresAt: Timestamp
})
export type SlaveGrant = typeof SlaveGrant.Type

/** Every grant for this slave: sent first, then every minute, so a missed update heals itself. */
export class GrantsSnapshot extends Schema.TaggedClass<GrantsSnapshot>()("GrantsSnapshot", {
  grants: Schema.Array(SlaveGrant),
  at: Timestamp
}) {}

export class GrantAdded extends Schema.TaggedClass<GrantAdded>()("GrantAdded", { grant: SlaveGrant, at: Timestamp }) {}

/** The lease ended or was suspended: its holder may no longer bind the device. */
export class GrantRevoked extends Schema.TaggedClass<GrantRevoked>()("GrantRevoked", {
  leaseId: LeaseId,
  deviceId: DeviceId,
  vhAddress: Schema.String,
  reason: Schema.String,
  at: Timestamp
}) {}

export const SlaveLinkMessage = Schema.Union(GrantsSnapshot, GrantAdded, GrantRevoked)
export type SlaveLinkMessage = typeof SlaveLinkMessage.Type

/** The slave agent's live link at `/rpc/slave` (WebSocket), authenticated by its credential. */
export class SlaveLinkRpc extends RpcGroup.make(
  Rpc.make("SlaveGrants", {
    payload: { credential: Schema.String.pipe(Schema.maxLength(400)) },
    success: SlaveLinkMessage,
    error: Schema.Union(Unauthenticated, SlaveDecommissioned),
    stream: true
  })
) {}

export const SLAVE_RPC_PATH = "/rpc/slave"
