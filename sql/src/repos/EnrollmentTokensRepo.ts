import { SqlClient } from "@effect/sql"
import { EnrollmentToken, type EnrollmentTokenId, type UserId } from "@ncod/core"
import { Effect, Option, Schema } from "effect"

const columns = "id, label, max_uses, uses, expires_at, created_by, created_at, revoked_at"

/** Enrollment tokens, stored as SHA-256 hashes; the secret exists only in the admin's answer. */
export class EnrollmentTokensRepo extends Effect.Service<EnrollmentTokensRepo>()("@ncod/sql/EnrollmentTokensRepo", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const cols = sql.unsafe(columns)
    const decodeRows = Schema.decodeUnknown(Schema.Array(EnrollmentToken))

    const insert = (input: { label: string; maxUses: number; expiresAt: Date; tokenHash: string; createdBy: UserId | null }) =>
      sql`insert into enrollment_tokens ${sql.insert({ ...input })} returning ${cols}`.pipe(
        Effect.flatMap(decodeRows),
        Effect.map((rows) => rows[0]!)
      )

    /** Uses one enrollment from a live token, atomically: two slaves cannot share a single-use token. */
    const consume = (tokenHash: string) =>
      sql`update enrollment_tokens set uses = uses + 1
          where token_hash = ${tokenHash} and revoked_at is null and expires_at > now() and uses < max_uses
          returning ${cols}`.pipe(Effect.flatMap(decodeRows), Effect.map((rows) => Option.fromNullable(rows[0])))

    const list = sql`select ${cols} from enrollment_tokens order by created_at desc limit 500`.pipe(Effect.flatMap(decodeRows))

    const revoke = (id: EnrollmentTokenId) =>
      sql`update enrollment_tokens set revoked_at = coalesce(revoked_at, now()) where id = ${id} returning ${cols}`.pipe(
        Effect.flatMap(decodeRows),
        Effect.map((rows) => Option.fromNullable(rows[0]))
      )

    return {
      insert: (input: Parameters<typeof insert>[0]) => insert(input).pipe(Effect.orDie),
      consume: (tokenHash: string) => consume(tokenHash).pipe(Effect.orDie),
      list: list.pipe(Effect.orDie),
      revoke: (id: EnrollmentTokenId) => revoke(id).pipe(Effect.orDie)
    }
  })
}) {}
