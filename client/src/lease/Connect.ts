import type { DeviceView, Lease, LeaseConnection, LeaseEndReason, LeaseId, LeaseView } from "@ncod/core"
import { Cause, Duration, Effect, Exit, Option, Schedule } from "effect"
import { MasterLink } from "../api/MasterLink.js"
import { Settings } from "../config/ClientConfig.js"
import { osClientIdentity, isValidClientIdentity } from "../machine/Identity.js"
import { UsageError } from "../commands/Failure.js"
import { bindDevice, ensureHub, listDevices, unbindDevice, waitForDevice } from "../vh/Binding.js"

/** A lease this client holds, bound through the local VirtualHere client. */
export interface Held {
  readonly lease: Lease
  readonly view: LeaseView
  readonly connection: LeaseConnection
  readonly identity: string
  /** The lease existed before this command (reconnecting to one's own lease). */
  readonly reused: boolean
}

/** The VirtualHere client id this PC presents: configured, else what the OS says. */
export const clientIdentity = Effect.gen(function* () {
  const settings = yield* Settings
  const identity = Option.getOrElse(settings.clientIdentity, osClientIdentity)
  if (!isValidClientIdentity(identity)) {
    return yield* new UsageError({
      message: `"${identity}" is not a VirtualHere client id (expected "Full Name (username)" without commas): set NCOD_VH_CLIENT_ID or clientIdentity in config.json`
    })
  }
  return identity
})

/** Releases a lease, a few times if the master is briefly away; the failure, if any, is returned. */
export const releaseLease = (id: LeaseId, reason: "released" | "bind_failed") =>
  Effect.flatMap(MasterLink, (link) =>
    link.call((api) => api.leases.release({ path: { id }, payload: { reason } })).pipe(
      Effect.retry(Schedule.exponential("300 millis").pipe(Schedule.intersect(Schedule.recurs(3)))),
      Effect.either
    )
  )

/**
 * Undoes a connection attempt: STOP USING when VirtualHere shows the device bound to this client,
 * then release the lease, so a failure never leaves an orphan lease or a bound device.
 */
export const rollback = (id: LeaseId, address: string | null, reason: "released" | "bind_failed", warn: (text: string) => Effect.Effect<void>) =>
  Effect.gen(function* () {
    if (address !== null) {
      const unbound = yield* unbindDevice(address).pipe(Effect.either)
      if (unbound._tag === "Left") yield* warn(`could not check VirtualHere while rolling back: ${unbound.left.message}`)
      else if (!unbound.right) yield* warn(`VirtualHere still shows ${address} bound to this computer`)
    }
    const released = yield* releaseLease(id, reason)
    if (released._tag === "Left") yield* warn(`could not release lease ${id}: it ends by itself when it expires`)
  })

export interface ConnectOptions {
  readonly minutes: number | undefined
  readonly progress: (text: string) => Effect.Effect<void>
  readonly warn: (text: string) => Effect.Effect<void>
}

/**
 * The connect flow: lease (or the caller's own open lease on the device) → attach with this PC's
 * VirtualHere client id → MANUAL HUB ADD if needed → wait for the hub's devices → USE with the
 * one-time password → confirm from LIST → activate. Any failure or interruption after the lease
 * exists rolls back (STOP USING if bound, then release with `bind_failed`).
 */
export const connectDevice = (target: DeviceView, options: ConnectOptions) =>
  Effect.gen(function* () {
    const link = yield* MasterLink
    const settings = yield* Settings
    const identity = yield* clientIdentity
    const timeout = Duration.seconds(settings.bindTimeoutSeconds)
    yield* options.progress("checking the VirtualHere client")
    // before any lease: a missing client should not cost a lease and a rollback
    yield* listDevices
    yield* options.progress("asking the master for a lease")
    const mine = yield* link.call((api) => api.leases.mine())
    const existing = mine.find((view) => view.lease.deviceId === target.device.id && view.lease.state !== "ended")
    const leased =
      existing ??
      (yield* link.call((api) =>
        api.leases.create({ payload: options.minutes === undefined ? { deviceId: target.device.id } : { deviceId: target.device.id, minutes: options.minutes } })
      ))
    const id = leased.lease.id
    let address: string | null = null
    const bind = Effect.gen(function* () {
      const connection = yield* link.call((api) => api.leases.attach({ path: { id }, payload: { clientIdentity: identity } }))
      address = connection.device.vhAddress
      yield* options.progress(`adding hub ${connection.hub} to VirtualHere`)
      yield* ensureHub(connection.hub)
      yield* options.progress(`waiting for ${address} to appear`)
      yield* waitForDevice(address, connection.hub, timeout)
      yield* options.progress(`binding ${address}`)
      yield* bindDevice(address, connection.bindPassword, timeout)
      yield* options.progress("activating the lease")
      const active = yield* link.call((api) => api.leases.activate({ path: { id } }))
      return { lease: active.lease, view: active, connection, identity, reused: existing !== undefined } satisfies Held
    })
    return yield* bind.pipe(
      Effect.onExit((exit) =>
        Exit.isSuccess(exit)
          ? Effect.void
          : Effect.zipRight(
              options.progress(Cause.isInterruptedOnly(exit.cause) ? "cancelled: releasing the lease" : "connecting failed: rolling back"),
              rollback(id, address, Cause.isInterruptedOnly(exit.cause) ? "released" : "bind_failed", options.warn)
            )
      )
    )
  })

/** What a person reads when a lease ended without them asking. */
export const endReasonText = (reason: LeaseEndReason | null): string => {
  switch (reason) {
    case "released":
      return "the lease was released (by `ncod disconnect`, the web portal or another terminal)"
    case "expired":
      return "the lease expired"
    case "device_removed":
      return "the device was unplugged from its slave"
    case "force_released":
      return "an administrator ended the lease"
    case "kicked":
      return "an administrator took the device back"
    case "grace_expired":
      return "the master did not hear from this computer within its grace period"
    case "bind_failed":
      return "the device could not be bound"
    case "account_changed":
      return "your account or access changed"
    case null:
      return "the lease ended"
  }
}
