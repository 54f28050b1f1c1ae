import type { MachineId, UserId } from "@ncod/core"
import { type MachineRecord, MachinesRepo, type UserRecord, UsersRepo } from "@ncod/sql"
import { Context, Effect, Layer, Option } from "effect"
import { makeMemo } from "../cache/Memo.js"
import { RedisConnection, subscribedConnection } from "../infra/Redis.js"

/**
 * How long a remembered row may be used without news of a change. Changes made through this
 * master are seen at once, changes on another master as soon as its message arrives over Redis;
 * this bounds what a lost message (or a change by a process without Redis) could leave behind.
 */
export const ACCOUNT_ROW_TTL_MS = 5_000
const MAX_ROWS = 50_000

type Kind = "user" | "machine"

/**
 * The user and machine rows that every authenticated request checks (status, token version, role,
 * machine approval), remembered for a few seconds so a busy portal does not ask the database for
 * the same row a thousand times a second. Every write to those rows goes through `trackedUsersRepo`
 * / `trackedMachinesRepo`, which drop the row here and announce it to the other masters.
 */
export class AccountCache extends Context.Tag("@ncod/master/AccountCache")<
  AccountCache,
  {
    readonly user: (id: UserId) => Effect.Effect<Option.Option<UserRecord>>
    readonly machine: (id: MachineId) => Effect.Effect<Option.Option<MachineRecord>>
    /** Drops the row here and on every other master. */
    readonly forget: (kind: Kind, id: string) => Effect.Effect<void>
  }
>() {}

/** A hit this close to expiry reads the row again in the background (a busy user never waits for it). */
const REFRESH_AHEAD_MS = 2_000

const rowMemo = <Id extends string, A>(lookup: (id: Id) => Effect.Effect<Option.Option<A>>) => {
  const memo = makeMemo<Option.Option<A>>({ ttlMs: ACCOUNT_ROW_TTL_MS, refreshAheadMs: REFRESH_AHEAD_MS, maxEntries: MAX_ROWS })
  // the lookup is built only on a miss: a hit costs a map read
  return { ...memo, get: (id: Id) => memo.get(id, Effect.suspend(() => lookup(id))) }
}

const messageOf = (kind: Kind, id: string) => `${kind}:${id}`

export const accountCacheLayer = (prefix: string) =>
  Layer.scoped(
    AccountCache,
    Effect.gen(function* () {
      const users = yield* UsersRepo
      const machines = yield* MachinesRepo
      const redis = yield* RedisConnection
      const memos = { user: rowMemo(users.findById), machine: rowMemo(machines.findById) }
      const channel = `${prefix}account-changes`

      const announce = yield* Option.match(redis, {
        onNone: () => Effect.succeed((_message: string) => Effect.void),
        onSome: (client) =>
          Effect.gen(function* () {
            const subscriber = yield* subscribedConnection(client, channel)
            subscriber.on("message", (_channel: string, message: string) => {
              const colon = message.indexOf(":")
              const kind = message.slice(0, colon)
              if (kind === "user" || kind === "machine") memos[kind].forget(message.slice(colon + 1))
            })
            // messages sent while the connection was down are lost: start over after a reconnect
            let connectedOnce = false
            subscriber.on("ready", () => {
              if (connectedOnce) {
                memos.user.clear()
                memos.machine.clear()
              }
              connectedOnce = true
            })
            connectedOnce = subscriber.status === "ready"
            return (message: string) => Effect.promise(() => client.publish(channel, message).catch(() => 0)).pipe(Effect.asVoid)
          })
      })

      return {
        user: memos.user.get,
        machine: memos.machine.get,
        forget: (kind, id) =>
          Effect.suspend(() => {
            memos[kind].forget(id)
            return announce(messageOf(kind, id))
          })
      }
    })
  )

/**
 * UsersRepo whose writes drop the changed account from the cache (here and on other masters). The
 * row is dropped when the statement returns: right for these writes, none of which runs inside a
 * transaction. A write inside one would have to drop the row after the commit instead, or a read
 * between the two could keep the old row for a TTL.
 */
export const trackedUsersRepo = Layer.effect(
  UsersRepo,
  Effect.gen(function* () {
    const repo = yield* UsersRepo
    const cache = yield* AccountCache
    const after = <A>(id: UserId, write: Effect.Effect<A>) => Effect.zipLeft(write, cache.forget("user", id))
    return UsersRepo.make({
      ...repo,
      setStatus: (id, status, reason, by) => after(id, repo.setStatus(id, status, reason, by)),
      setRole: (id, role) => after(id, repo.setRole(id, role)),
      setOrgUnit: (id, orgUnitId) => after(id, repo.setOrgUnit(id, orgUnitId)),
      updateProfile: (id, changes) => after(id, repo.updateProfile(id, changes)),
      setPassword: (id, passwordHash) => after(id, repo.setPassword(id, passwordHash)),
      bumpTokenVersion: (id) => after(id, repo.bumpTokenVersion(id))
    })
  })
)

/** MachinesRepo whose writes drop the changed machine from the cache (here and on other masters). */
export const trackedMachinesRepo = Layer.effect(
  MachinesRepo,
  Effect.gen(function* () {
    const repo = yield* MachinesRepo
    const cache = yield* AccountCache
    const forgetRow = (row: Option.Option<MachineRecord>) => (Option.isSome(row) ? cache.forget("machine", row.value.id) : Effect.void)
    return MachinesRepo.make({
      ...repo,
      request: (input) => Effect.tap(repo.request(input), forgetRow),
      decide: (id, status, by) => Effect.zipLeft(repo.decide(id, status, by), cache.forget("machine", id)),
      attachKey: (id, publicKey, keyThumbprint) => Effect.zipLeft(repo.attachKey(id, publicKey, keyThumbprint), cache.forget("machine", id))
    })
  })
)
