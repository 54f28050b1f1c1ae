import { SqlClient, SqlSchema } from "@effect/sql"
import { OrgUnitId, Role, User, UserId, UserStatus } from "@ncod/core"
import { Effect, Schema } from "effect"

/** A user row as the server sees it: with the hash (redacted, so it never reaches a log). */
export class UserRecord extends User.extend<UserRecord>("UserRecord")({
  passwordHash: Schema.Redacted(Schema.String),
  tokenVersion: Schema.Int
}) {
  /** The public view: what an API may return. */
  toUser(): User {
    const { passwordHash: _hash, tokenVersion: _version, ...user } = this
    return new User(user)
  }
}

export const NewUser = Schema.Struct({
  username: Schema.String,
  displayName: Schema.String,
  email: Schema.NullOr(Schema.String),
  phone: Schema.NullOr(Schema.String),
  passwordHash: Schema.String,
  role: Role,
  status: UserStatus,
  orgUnitId: Schema.NullOr(OrgUnitId),
  mustChangePassword: Schema.Boolean
})
export type NewUser = typeof NewUser.Type

const columns = `id, username, display_name, email, phone, role, status, status_reason, org_unit_id,
  must_change_password, approved_by, approved_at, created_at, updated_at, password_hash, token_version`

export class UsersRepo extends Effect.Service<UsersRepo>()("@ncod/sql/UsersRepo", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const insert = SqlSchema.single({
      Request: NewUser,
      Result: UserRecord,
      execute: (user) => sql`insert into users ${sql.insert(user)} returning ${sql.unsafe(columns)}`
    })

    const findById = SqlSchema.findOne({
      Request: UserId,
      Result: UserRecord,
      execute: (id) => sql`select ${sql.unsafe(columns)} from users where id = ${id}`
    })

    const findByUsername = SqlSchema.findOne({
      Request: Schema.String,
      Result: UserRecord,
      execute: (username) => sql`select ${sql.unsafe(columns)} from users where lower(username) = lower(${username})`
    })

    const countAdmins = sql<{ count: number }>`select count(*)::int as count from users where role = 'admin'`.pipe(
      Effect.map((rows) => rows[0]?.count ?? 0)
    )

    return {
      insert: (user: NewUser) => insert(user).pipe(Effect.orDie, Effect.withSpan("UsersRepo.insert")),
      findById: (id: UserId) => findById(id).pipe(Effect.orDie, Effect.withSpan("UsersRepo.findById")),
      findByUsername: (username: string) =>
        findByUsername(username).pipe(Effect.orDie, Effect.withSpan("UsersRepo.findByUsername")),
      countAdmins: countAdmins.pipe(Effect.orDie, Effect.withSpan("UsersRepo.countAdmins"))
    }
  })
}) {}
