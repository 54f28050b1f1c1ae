import {
  AccountDisabled,
  AccountPending,
  AccountRejected,
  type Audience,
  Forbidden,
  type Principal,
  PasswordChangeRequired,
  Unauthenticated
} from "@ncod/core"
import { Context, Effect, Layer, Option } from "effect"
import { EphemeralStore } from "../infra/EphemeralStore.js"
import { AccountCache } from "./AccountCache.js"
import { type AccessClaims, AccessTokens } from "./AccessTokens.js"

type Caller = Principal & { readonly expiresAt: Date }

const revokedKey = (tokenId: string) => `revoked-token:${tokenId}`

/**
 * Turns a bearer token into the caller, checking what a signature alone cannot: the account still
 * exists and is in a state the route allows, the token predates no revocation (token version,
 * logout), and a CLI token's machine is still approved.
 */
export class AccessControl extends Context.Tag("@ncod/master/AccessControl")<
  AccessControl,
  {
    /** Any signed-in user, pending and rejected ones included (their own profile). */
    readonly signedIn: (token: string) => Effect.Effect<Caller, Unauthenticated | AccountDisabled>
    /** An approved user with no forced password change (everything that uses the fleet). */
    readonly approved: (
      token: string
    ) => Effect.Effect<Caller, Unauthenticated | AccountDisabled | AccountPending | AccountRejected | PasswordChangeRequired>
    /** An approved admin holding an admin-app token. */
    readonly admin: (token: string) => Effect.Effect<Caller, Unauthenticated | Forbidden | PasswordChangeRequired>
    /** Refuses this access token from now until it would have expired anyway (logout). */
    readonly revoke: (claims: Pick<AccessClaims, "tokenId" | "expiresAt">) => Effect.Effect<void>
  }
>() {}

export const AccessControlLive = Layer.effect(
  AccessControl,
  Effect.gen(function* () {
    const tokens = yield* AccessTokens
    const accounts = yield* AccountCache
    const store = yield* EphemeralStore
    const unauthenticated = new Unauthenticated()

    const resolve = (token: string, audiences: ReadonlyArray<Audience>) =>
      Effect.gen(function* () {
        const claims = yield* tokens.verify(token, audiences).pipe(Effect.mapError(() => unauthenticated))
        if (Option.isSome(yield* store.get(revokedKey(claims.tokenId)))) return yield* unauthenticated
        const user = yield* accounts.user(claims.userId)
        if (Option.isNone(user) || user.value.tokenVersion !== claims.tokenVersion) return yield* unauthenticated
        const account = user.value
        if (account.status === "disabled") return yield* new AccountDisabled()
        if (claims.audience === "client") {
          const machine = claims.machineId ? yield* accounts.machine(claims.machineId) : Option.none()
          if (Option.isNone(machine) || machine.value.status !== "approved" || machine.value.userId !== account.id) {
            return yield* unauthenticated
          }
        }
        const caller: Caller = {
          userId: account.id,
          username: account.username,
          displayName: account.displayName,
          role: account.role,
          status: account.status,
          mustChangePassword: account.mustChangePassword,
          audience: claims.audience,
          machineId: claims.machineId,
          tokenId: claims.tokenId,
          expiresAt: claims.expiresAt
        }
        return { caller, statusReason: account.statusReason }
      })

    const signedIn = (token: string) => Effect.map(resolve(token, ["portal", "client", "admin"]), ({ caller }) => caller)

    const approved = (token: string) =>
      Effect.gen(function* () {
        const { caller, statusReason } = yield* resolve(token, ["portal", "client", "admin"])
        if (caller.status === "pending") return yield* new AccountPending()
        if (caller.status === "rejected") return yield* new AccountRejected({ reason: statusReason })
        if (caller.mustChangePassword) return yield* new PasswordChangeRequired()
        return caller
      })

    const admin = (token: string) =>
      Effect.gen(function* () {
        // an admin token whose account is no longer an approved admin opens nothing
        const { caller } = yield* resolve(token, ["admin"]).pipe(
          Effect.catchTag("AccountDisabled", () => Effect.fail(new Forbidden()))
        )
        if (caller.role !== "admin" || caller.status !== "approved") return yield* new Forbidden()
        if (caller.mustChangePassword) return yield* new PasswordChangeRequired()
        return caller
      })

    const revoke = (claims: Pick<AccessClaims, "tokenId" | "expiresAt">) => {
      const seconds = Math.ceil((claims.expiresAt.getTime() - Date.now()) / 1000)
      return seconds > 0 ? store.set(revokedKey(claims.tokenId), "1", seconds) : Effect.void
    }

    return { signedIn, approved, admin, revoke }
  })
)
