import type { Audience, MachineId, Tokens } from "@ncod/core"
import type { UserRecord } from "@ncod/sql"
import { Context, DateTime, Effect, Layer } from "effect"
import { AccessTokens } from "./AccessTokens.js"
import { RefreshTokens } from "./RefreshTokens.js"

/** Issues the access + refresh pair a successful sign-in or refresh answers with. */
export class Sessions extends Context.Tag("@ncod/master/Sessions")<
  Sessions,
  {
    readonly open: (
      user: UserRecord,
      audience: Audience,
      machineId: MachineId | null,
      familyId?: string
    ) => Effect.Effect<Tokens>
  }
>() {}

export const SessionsLive = Layer.effect(
  Sessions,
  Effect.gen(function* () {
    const access = yield* AccessTokens
    const refresh = yield* RefreshTokens
    return {
      open: (user, audience, machineId, familyId) =>
        Effect.gen(function* () {
          const { claims, token } = yield* access.issue({
            userId: user.id,
            audience,
            tokenVersion: user.tokenVersion,
            machineId
          })
          const refreshToken = yield* refresh.issue({
            userId: user.id,
            audience,
            machineId,
            ...(familyId === undefined ? {} : { familyId })
          })
          return {
            accessToken: token,
            accessTokenExpiresAt: DateTime.unsafeFromDate(claims.expiresAt),
            refreshToken: refreshToken.token,
            refreshTokenExpiresAt: DateTime.unsafeFromDate(refreshToken.expiresAt),
            user: user.toUser()
          }
        })
    }
  })
)
