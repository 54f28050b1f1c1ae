import { SqlClient } from "@effect/sql"
import type { MachineId, UserId } from "@ncod/core"
import { Effect, Option, Schema } from "effect"

const Row = Schema.Struct({
  id: Schema.String,
  userId: Schema.String,
  familyId: Schema.String,
  audience: Schema.Literal("portal", "client", "admin"),
  machineId: Schema.NullOr(Schema.String),
  expiresAt: Schema.DateFromSelf,
  usedAt: Schema.NullOr(Schema.DateFromSelf),
  revokedAt: Schema.NullOr(Schema.DateFromSelf)
})
export type RefreshTokenRow = typeof Row.Type

/** Refresh tokens, stored as SHA-256 hashes, grouped in rotation families for reuse detection. */
export class RefreshTokensRepo extends Effect.Service<RefreshTokensRepo>()("@ncod/sql/RefreshTokensRepo", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const insert = (input: {
      readonly userId: UserId
      readonly familyId: string
      readonly tokenHash: string
      readonly audience: "portal" | "client" | "admin"
      readonly machineId: MachineId | null
      readonly expiresAt: Date
    }) => sql`insert into refresh_tokens ${sql.insert({ ...input })}`.pipe(Effect.asVoid)

    const findByHash = (tokenHash: string) =>
      sql`select id, user_id, family_id, audience, machine_id, expires_at, used_at, revoked_at
          from refresh_tokens where token_hash = ${tokenHash}`.pipe(
        Effect.flatMap(Schema.decodeUnknown(Schema.Array(Row))),
        Effect.map((rows) => Option.fromNullable(rows[0]))
      )

    /** Marks a token used, only if nobody used it first: the loser of a race sees `false`. */
    const markUsed = (id: string) =>
      sql<{ id: string }>`update refresh_tokens set used_at = now()
          where id = ${id} and used_at is null and revoked_at is null returning id`.pipe(Effect.map((rows) => rows.length === 1))

    const revokeFamily = (familyId: string) =>
      sql`update refresh_tokens set revoked_at = now() where family_id = ${familyId} and revoked_at is null`.pipe(Effect.asVoid)

    const revokeAllForUser = (userId: UserId) =>
      sql`update refresh_tokens set revoked_at = now() where user_id = ${userId} and revoked_at is null`.pipe(Effect.asVoid)

    return {
      insert: (input: Parameters<typeof insert>[0]) => insert(input).pipe(Effect.orDie),
      findByHash: (tokenHash: string) => findByHash(tokenHash).pipe(Effect.orDie),
      markUsed: (id: string) => markUsed(id).pipe(Effect.orDie),
      revokeFamily: (familyId: string) => revokeFamily(familyId).pipe(Effect.orDie),
      revokeAllForUser: (userId: UserId) => revokeAllForUser(userId).pipe(Effect.orDie)
    }
  })
}) {}
