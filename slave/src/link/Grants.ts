import type { SlaveGrant, SlaveLinkMessage } from "@ncod/core"
import { DateTime, Effect, Ref } from "effect"
import type { Health } from "../agent/Health.js"
import type { GrantsView } from "../hook/Authorize.js"

const describeGrant = (grant: SlaveGrant) => ({
  leaseId: grant.leaseId,
  deviceId: grant.deviceId,
  vhAddress: grant.vhAddress,
  username: grant.username,
  clientIdentity: grant.clientIdentity,
  expiresAt: DateTime.formatIso(grant.expiresAt)
  // never the bind password hash
})

const sameGrant = (a: SlaveGrant, b: SlaveGrant) =>
  a.clientIdentity === b.clientIdentity &&
  a.bindPasswordMd5 === b.bindPasswordMd5 &&
  a.vhAddress === b.vhAddress &&
  a.busPath === b.busPath &&
  a.serial === b.serial &&
  a.expiresAt.epochMillis === b.expiresAt.epochMillis

/**
 * Who may bind what, as the master last said. A snapshot replaces everything (a missed update heals
 * itself within a minute); `GrantAdded`/`GrantRevoked` edit in between. Each real change is one log
 * line; the minute's unchanged snapshot logs nothing.
 */
export const makeGrants = (health: Health) =>
  Effect.gen(function* () {
    const ref = yield* Ref.make<GrantsView>({ grants: [], confirmedAt: null })

    const publish = (view: GrantsView) =>
      health.update((h) => ({
        ...h,
        grants: { count: view.grants.length, confirmedAt: view.confirmedAt === null ? null : new Date(view.confirmedAt).toISOString() }
      }))

    const logAdded = (grant: SlaveGrant, updated: boolean) =>
      Effect.logInfo(updated ? "grant updated" : "grant added").pipe(Effect.annotateLogs(describeGrant(grant)))
    const logRevoked = (grant: SlaveGrant | undefined, leaseId: string, reason: string) =>
      Effect.logInfo("grant revoked").pipe(Effect.annotateLogs({ ...(grant ? describeGrant(grant) : { leaseId }), reason }))

    const apply = (message: SlaveLinkMessage, receivedAt: number) =>
      Effect.gen(function* () {
        const before = (yield* Ref.get(ref)).grants
        const byLease = new Map(before.map((grant) => [grant.leaseId as string, grant]))
        let after: ReadonlyArray<SlaveGrant>
        switch (message._tag) {
          case "GrantsSnapshot": {
            after = message.grants
            const next = new Map(after.map((grant) => [grant.leaseId as string, grant]))
            for (const grant of after) {
              const old = byLease.get(grant.leaseId)
              if (old === undefined || !sameGrant(old, grant)) yield* logAdded(grant, old !== undefined)
            }
            for (const grant of before) if (!next.has(grant.leaseId)) yield* logRevoked(grant, grant.leaseId, "not in the master's snapshot")
            break
          }
          case "GrantAdded": {
            const old = byLease.get(message.grant.leaseId)
            after = [...before.filter((grant) => grant.leaseId !== message.grant.leaseId), message.grant]
            if (old === undefined || !sameGrant(old, message.grant)) yield* logAdded(message.grant, old !== undefined)
            break
          }
          case "GrantRevoked": {
            after = before.filter((grant) => grant.leaseId !== message.leaseId)
            if (after.length !== before.length) yield* logRevoked(byLease.get(message.leaseId), message.leaseId, message.reason)
            break
          }
        }
        const view: GrantsView = { grants: after, confirmedAt: receivedAt }
        yield* Ref.set(ref, view)
        yield* publish(view)
      })

    /** Forget everything (decommissioned): the hook then denies every bind. */
    const clear = Effect.gen(function* () {
      const before = (yield* Ref.get(ref)).grants
      for (const grant of before) yield* logRevoked(grant, grant.leaseId, "slave no longer admitted")
      const view: GrantsView = { grants: [], confirmedAt: null }
      yield* Ref.set(ref, view)
      yield* publish(view)
    })

    return { view: Ref.get(ref), apply, clear }
  })

export type Grants = Effect.Effect.Success<ReturnType<typeof makeGrants>>
