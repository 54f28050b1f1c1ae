import { type Audience, type MachineId, Unauthenticated, type UserId } from "@ncod/core"
import { RefreshTokensRepo } from "@ncod/sql"
import { Context, Data, Effect, Layer, Option } from "effect"
import { createHash, randomBytes, randomUUID } from "node:crypto"
import { AuthSettings } from "./AuthSettings.js"

export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex")

export interface RefreshGrant {
  readonly userId: UserId
  readonly audience: Audience
  readonly machineId: MachineId | null
  readonly familyId: string
}

/**
 * Opaque refresh tokens, one rotation family per sign-in. Each use replaces the token; presenting a
 * replaced token means it was stolen (or replayed), so the whole family is revoked.
 */
export class RefreshTokens extends Context.Tag("@ncod/master/RefreshTokens")<
  RefreshTokens,
  {
    readonly issue: (grant: Omit<RefreshGrant, "familyId"> & { readonly familyId?: string }) => Effect.Effect<{
      readonly token: string
      readonly expiresAt: Date
    }>
    /** Spends a token; fails on unknown, expired or reused tokens (reuse revokes the family). */
    readonly spend: (token: string) => Effect.Effect<RefreshGrant, Unauthenticated | ReuseDetected>
    readonly revokeFamilyOf: (token: string) => Effect.Effect<Option.Option<RefreshGrant>>
    readonly revokeAll: (userId: UserId) => Effect.Effect<void>
  }
>() {}

export class ReuseDetected extends Data.TaggedError("ReuseDetected")<{ readonly grant: RefreshGrant }> {}

export const RefreshTokensLive = Layer.effect(
  RefreshTokens,
  Effect.gen(function* () {
    const repo = yield* RefreshTokensRepo
    const settings = yield* AuthSettings

    const issue = (grant: Omit<RefreshGrant, "familyId"> & { readonly familyId?: string }) =>
      Effect.gen(function* () {
        const token = randomBytes(32).toString("base64url")
        const expiresAt = new Date(Date.now() + settings.refreshTokenTtlSeconds * 1000)
        yield* repo.insert({
          userId: grant.userId,
          familyId: grant.familyId ?? randomUUID(),
          tokenHash: hashToken(token),
          audience: grant.audience,
          machineId: grant.machineId,
          expiresAt
        })
        return { token, expiresAt }
      })

    const toGrant = (row: { userId: string; audience: Audience; machineId: string | null; familyId: string }): RefreshGrant => ({
      userId: row.userId as UserId,
      audience: row.audience,
      machineId: row.machineId as MachineId | null,
      familyId: row.familyId
    })

    const spend = (token: string) =>
      Effect.gen(function* () {
        const found = yield* repo.findByHash(hashToken(token))
        if (Option.isNone(found)) return yield* new Unauthenticated()
        const row = found.value
        const grant = toGrant(row)
        if (row.revokedAt !== null) return yield* new Unauthenticated()
        if (row.usedAt !== null || !(yield* repo.markUsed(row.id))) {
          yield* repo.revokeFamily(row.familyId)
          return yield* new ReuseDetected({ grant })
        }
        if (row.expiresAt.getTime() <= Date.now()) return yield* new Unauthenticated()
        return grant
      })

    const revokeFamilyOf = (token: string) =>
      Effect.gen(function* () {
        const found = yield* repo.findByHash(hashToken(token))
        if (Option.isNone(found)) return Option.none()
        yield* repo.revokeFamily(found.value.familyId)
        return Option.some(toGrant(found.value))
      })

    return { issue, spend, revokeFamilyOf, revokeAll: repo.revokeAllForUser }
  })
)
