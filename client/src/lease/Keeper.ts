import type { Lease, LeaseEndReason, LiveEvent, LeaseView } from "@ncod/core"
import { DateTime, Deferred, Effect, Random, Ref } from "effect"
import { backoffMillis, followLiveEvents } from "../api/LiveEvents.js"
import { MasterLink } from "../api/MasterLink.js"
import { describeFailure, describeTransport, isTransportFailure } from "../commands/Failure.js"
import { Settings } from "../config/ClientConfig.js"
import { clean, clock } from "../ui/Output.js"
import type { StatusLine } from "../ui/StatusLine.js"
import { deviceName } from "../ui/DeviceText.js"
import { bindDevice, currentBinding } from "../vh/Binding.js"
import type { Held } from "./Connect.js"

/** The lease ended without this process asking (disconnect elsewhere, unplug, admin, expiry…). */
export interface LeaseEnded {
  readonly reason: LeaseEndReason | null
}

interface KeeperState {
  readonly lease: Lease
  readonly masterReachable: boolean
  readonly bound: boolean
  readonly vhAnswering: boolean
  readonly slaveOnline: boolean
  readonly password: string | null
  readonly signedIn: boolean
  readonly lastRequestAt: string | null
}

const time = (instant: DateTime.Utc) => clock(DateTime.toDate(instant)).slice(0, 5)

/**
 * Holds a connected lease until it ends: keeps it alive every `keepAliveSeconds` (reconnecting with
 * backoff and jitter when the master is unreachable: the binding stays, the master keeps the lease
 * for its grace period), follows the live events (end, expiry warning, release requests, slave
 * offline/online), and checks the VirtualHere binding, binding again when it was lost.
 * Returns when the master ends the lease; interrupt it to let go.
 */
export const holdLease = (held: Held, ui: StatusLine, reference: string) =>
  Effect.scoped(
    Effect.gen(function* () {
      const link = yield* MasterLink
      const settings = yield* Settings
      const id = held.lease.id
      const address = held.connection.device.vhAddress
      const name = deviceName(held.connection.device)
      const slaveId = held.connection.device.slaveId
      const done = yield* Deferred.make<LeaseEnded>()
      const state = yield* Ref.make<KeeperState>({
        lease: held.lease,
        masterReachable: true,
        bound: true,
        vhAnswering: true,
        slaveOnline: true,
        password: held.connection.bindPassword,
        signedIn: true,
        lastRequestAt: null
      })

      const render = Effect.flatMap(Ref.get(state), (s) => {
        const parts = [
          s.bound ? `${name} connected` : `${name} not bound`,
          s.lease.state === "active" ? `until ${time(s.lease.expiresAt)}` : `lease ${s.lease.state}`,
          s.masterReachable ? (s.signedIn ? "master ok" : "session expired") : "master unreachable",
          "Ctrl+C releases"
        ]
        return ui.status(parts.join(" · "))
      })
      const update = (f: (s: KeeperState) => KeeperState) => Effect.zipRight(Ref.update(state, f), render)
      const finish = (reason: LeaseEndReason | null) => Deferred.succeed(done, { reason })

      const applyView = (view: LeaseView) =>
        Effect.gen(function* () {
          yield* update((s) => ({ ...s, lease: view.lease }))
          if (view.lease.state === "ended") return yield* finish(view.lease.endReason)
          const request = view.releaseRequest
          const seen = (yield* Ref.get(state)).lastRequestAt
          if (request !== null && DateTime.formatIso(request.at) !== seen) {
            yield* Ref.update(state, (s) => ({ ...s, lastRequestAt: DateTime.formatIso(request.at) }))
            yield* noteReleaseRequest(request.displayName, request.username, request.message)
          }
        })

      const noteReleaseRequest = (displayName: string, username: string, message: string) =>
        ui.note(
          `${clean(displayName)} (${clean(username)}) asks you to release ${name}${message ? `: "${clean(message)}"` : ""}. ` +
            `Release: Ctrl+C here or \`ncod disconnect ${reference}\`; decline: \`ncod decline ${reference}\``
        )

      const reload = link.call((api) => api.leases.get({ path: { id } })).pipe(
        Effect.flatMap(applyView),
        Effect.catchAll(() => Effect.void)
      )

      // ------------------------------------------------------------------ keep-alive
      const keepAlive = Effect.gen(function* () {
        let attempt = 0
        let lastProblem = ""
        for (;;) {
          const result = yield* link.call((api) => api.leases.keepAlive({ path: { id } })).pipe(Effect.either)
          if (result._tag === "Right") {
            const before = yield* Ref.get(state)
            if (!before.masterReachable) yield* ui.note("master reachable again: keep-alives resumed, the lease is kept")
            if (!before.signedIn) yield* ui.note("signed in again: keep-alives resumed")
            yield* update((s) => ({ ...s, masterReachable: true, signedIn: true }))
            attempt = 0
            lastProblem = ""
            yield* applyView(result.right)
            yield* Effect.sleep(`${settings.keepAliveSeconds} seconds`)
            continue
          }
          const error = result.left
          const tag = (error as { _tag?: string })._tag
          if (tag === "Conflict" || tag === "NotFound") {
            // the lease ended (or vanished): learn why, then stop
            const latest = yield* link.call((api) => api.leases.get({ path: { id } })).pipe(Effect.either)
            if (latest._tag === "Right") yield* applyView(latest.right)
            else yield* finish(null)
            yield* Effect.sleep("1 second")
            continue
          }
          const wait = backoffMillis(attempt++, settings.reconnectMaxSeconds * 1000, yield* Random.next)
          let problem: string
          if (isTransportFailure(error)) {
            problem = `master unreachable (${describeTransport(error, link.baseUrl)})`
            yield* update((s) => ({ ...s, masterReachable: false }))
          } else if (tag === "NotSignedIn" || tag === "Unauthenticated") {
            problem = "your session expired: run `ncod login` in another terminal; the device stays connected meanwhile"
            yield* update((s) => ({ ...s, signedIn: false }))
          } else {
            problem = describeFailure(error, link.baseUrl).message
          }
          if (problem !== lastProblem) yield* ui.note(`${problem} — retrying (next in ${Math.ceil(wait / 1000)} s); the binding and the lease are kept meanwhile`)
          lastProblem = problem
          yield* Effect.sleep(wait)
        }
      })

      // ------------------------------------------------------------------ live events
      const onEvent = (event: LiveEvent): Effect.Effect<void> => {
        switch (event._tag) {
          case "LeaseChanged": {
            if (event.lease.id !== id) return Effect.void
            return Effect.gen(function* () {
              yield* update((s) => ({ ...s, lease: event.lease }))
              if (event.lease.state === "ended") return yield* finish(event.lease.endReason)
              switch (event.transition) {
                case "expiring":
                  return yield* ui.note(`the lease ends at ${time(event.lease.expiresAt)}: renew with \`ncod renew ${reference}\``)
                case "renewed":
                  return yield* ui.note(`lease renewed until ${time(event.lease.expiresAt)}`)
                case "suspended":
                  // the slave's offline event may come before or after this one: say both causes
                  return yield* ui.note("the lease is suspended (its slave is offline, or the master lost touch with this computer): it resumes by itself")
                case "resumed":
                  return yield* ui.note("the lease is active again")
              }
            })
          }
          case "ReleaseRequested":
            return event.leaseId === id
              ? Effect.zipRight(
                  Ref.update(state, (s) => ({ ...s, lastRequestAt: DateTime.formatIso(event.at) })),
                  noteReleaseRequest(event.requestedBy.displayName, event.requestedBy.username, event.message)
                )
              : Effect.void
          case "SlaveStatusChanged":
            if (event.slaveId !== slaveId) return Effect.void
            return Effect.gen(function* () {
              const online = event.status === "online"
              const before = yield* Ref.get(state)
              yield* update((s) => ({ ...s, slaveOnline: online }))
              if (online && !before.slaveOnline) yield* ui.note(`slave ${clean(event.name)} is back online`)
              if (!online && before.slaveOnline) yield* ui.note(`slave ${clean(event.name)} is ${event.status}: the lease is suspended until it is back`)
            })
          case "DeviceRemoved":
            return event.deviceId === held.connection.device.id ? ui.note(`${name} was unplugged from its slave`) : Effect.void
          case "Resync":
            return reload
          default:
            return Effect.void
        }
      }
      const events = followLiveEvents(
        {
          onEvent,
          onSubscribed: (again) => (again ? Effect.zipRight(ui.note("live events reconnected"), reload) : reload)
        },
        settings.reconnectMaxSeconds
      )

      // ------------------------------------------------------------------ VirtualHere binding
      const watchBinding = Effect.gen(function* () {
        let failures = 0
        for (;;) {
          yield* Effect.sleep(`${settings.vhCheckSeconds} seconds`)
          const s = yield* Ref.get(state)
          if (s.lease.state === "ended") continue
          const binding = yield* currentBinding(address).pipe(Effect.either)
          if (binding._tag === "Left") {
            if (s.vhAnswering) yield* ui.note(`${binding.left.message} — checking again`)
            yield* update((x) => ({ ...x, vhAnswering: false }))
            continue
          }
          if (!s.vhAnswering) yield* ui.note("the VirtualHere client answers again")
          yield* update((x) => ({ ...x, vhAnswering: true }))
          const now = binding.right
          if (now._tag === "Mine") {
            if (!s.bound) yield* ui.note(`${address} is bound to this computer again`)
            failures = 0
            yield* update((x) => ({ ...x, bound: true }))
            continue
          }
          if (s.bound) {
            yield* ui.note(
              now._tag === "Other"
                ? `VirtualHere shows ${address} in use by ${clean(now.clientId)}`
                : now._tag === "Absent"
                  ? `VirtualHere no longer sees ${address} (slave or network away?): waiting for it`
                  : `the VirtualHere binding of ${address} was lost: binding again`
            )
            yield* update((x) => ({ ...x, bound: false }))
          }
          if (now._tag !== "Free") continue
          // after a failed try, wait a little longer each time (capped) before the next one
          if (failures > 0 && (yield* Random.next) > 1 / Math.min(failures + 1, 8)) continue
          // a fresh one-time password when the master is there (not on every failed try: each
          // attach is audited and re-sent to the slave); the last one while it is away
          let password = s.password
          if (s.masterReachable && failures % 5 === 0) {
            const attached = yield* link.call((api) => api.leases.attach({ path: { id }, payload: { clientIdentity: held.identity } })).pipe(Effect.either)
            if (attached._tag === "Right") {
              password = attached.right.bindPassword
              yield* Ref.update(state, (x) => ({ ...x, password }))
            }
          }
          const rebound = yield* bindDevice(address, password, "10 seconds").pipe(Effect.either)
          if (rebound._tag === "Right") {
            failures = 0
            yield* ui.note(`${address} is bound to this computer again`)
            yield* update((x) => ({ ...x, bound: true }))
          } else {
            failures += 1
            if (failures === 1) yield* ui.note(`binding again failed (${rebound.left.message}): will keep trying`)
          }
        }
      })

      yield* render
      yield* Effect.forkScoped(keepAlive)
      yield* Effect.forkScoped(events)
      yield* Effect.forkScoped(watchBinding)
      return yield* Deferred.await(done)
    })
  )
