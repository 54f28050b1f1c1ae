import { TooManyAttempts } from "@ncod/core"
import { Context, Effect, Layer, Option } from "effect"
import { EphemeralStore } from "../infra/EphemeralStore.js"
import { AuthSettings } from "./AuthSettings.js"

/**
 * Failed sign-ins are counted per account and per source address within the lockout window; at
 * the limit that account or address is locked for the lockout period. Unknown usernames are counted
 * like real ones, so lockouts reveal nothing about which accounts exist.
 */
export class LoginThrottle extends Context.Tag("@ncod/master/LoginThrottle")<
  LoginThrottle,
  {
    readonly check: (username: string, address: string) => Effect.Effect<void, TooManyAttempts>
    /** Counts a failure; returns which locks it just started, for the audit log. */
    readonly failed: (username: string, address: string) => Effect.Effect<{ readonly lockedAccount: boolean; readonly lockedAddress: boolean }>
    readonly succeeded: (username: string) => Effect.Effect<void>
  }
>() {}

const accountKey = (username: string) => `login:account:${username.toLowerCase()}`
const addressKey = (address: string) => `login:address:${address}`

export const LoginThrottleLive = Layer.effect(
  LoginThrottle,
  Effect.gen(function* () {
    const store = yield* EphemeralStore
    const settings = yield* AuthSettings
    const window = settings.loginLockoutSeconds

    const check = (username: string, address: string) =>
      Effect.gen(function* () {
        const remaining = yield* store.ttl(`${accountKey(username)}:lock`)
        const addressRemaining = yield* store.ttl(`${addressKey(address)}:lock`)
        const longest = Math.max(Option.getOrElse(remaining, () => 0), Option.getOrElse(addressRemaining, () => 0))
        if (longest > 0) return yield* new TooManyAttempts({ retryAfterSeconds: longest })
      })

    const countAndMaybeLock = (key: string, limit: number) =>
      Effect.gen(function* () {
        const count = yield* store.increment(key, window)
        if (count < limit) return false
        yield* store.set(`${key}:lock`, "1", window)
        yield* store.remove(key)
        return true
      })

    const failed = (username: string, address: string) =>
      Effect.all({
        lockedAccount: countAndMaybeLock(accountKey(username), settings.loginMaxFailures),
        lockedAddress: countAndMaybeLock(addressKey(address), settings.loginIpMaxFailures)
      })

    const succeeded = (username: string) => store.remove(accountKey(username))

    return { check, failed, succeeded }
  })
)
