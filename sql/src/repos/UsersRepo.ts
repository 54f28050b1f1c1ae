import { SqlClient } from "@effect/sql"
import { OrgUnitId, Role, User, type UserId, UserStatus } from "@ncod/core"
import { Effect, Option, Schema } from "effect"
import { decodeCursor, microsSql, pageOf } from "../Cursor.js"

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

export interface UserFilter {
  readonly status?: UserStatus | undefined
  readonly role?: Role | undefined
  readonly orgUnitId?: OrgUnitId | undefined
  readonly q?: string | undefined
  readonly limit: number
  readonly cursor?: string | undefined
}

export interface ProfileChanges {
  readonly displayName?: string | undefined
  readonly email?: string | undefined
  readonly phone?: string | null | undefined
}

const columns = `id, username, display_name, email, phone, role, status, status_reason, org_unit_id,
  must_change_password, approved_by, approved_at, created_at, updated_at, password_hash, token_version`

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`)

export class UsersRepo extends Effect.Service<UsersRepo>()("@ncod/sql/UsersRepo", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const cols = sql.unsafe(columns)
    const decodeRows = Schema.decodeUnknown(Schema.Array(UserRecord))
    const one = (rows: ReadonlyArray<unknown>) =>
      Effect.map(decodeRows(rows), (records) => Option.fromNullable(records[0]))

    /** None when the username is taken (the unique index decides, so racing sign-ups are safe). */
    const insert = (user: NewUser) =>
      sql`insert into users ${sql.insert({ ...user })} on conflict do nothing returning ${cols}`.pipe(Effect.flatMap(one))

    const findById = (id: UserId) => sql`select ${cols} from users where id = ${id}`.pipe(Effect.flatMap(one))

    const findByUsername = (username: string) =>
      sql`select ${cols} from users where lower(username) = lower(${username})`.pipe(Effect.flatMap(one))

    const list = (filter: UserFilter) =>
      Effect.gen(function* () {
        const after = decodeCursor(filter.cursor, "micros")
        const pattern = filter.q ? `%${escapeLike(filter.q.toLowerCase())}%` : undefined
        const rows = yield* sql<{ sortKey: string; id: string }>`
          select ${cols}, ${sql.unsafe(microsSql("created_at"))} as sort_key from users where ${sql.and([
            ...(filter.status ? [sql`status = ${filter.status}`] : []),
            ...(filter.role ? [sql`role = ${filter.role}`] : []),
            ...(filter.orgUnitId ? [sql`org_unit_id = ${filter.orgUnitId}`] : []),
            ...(pattern
              ? [
                  sql`(lower(username) like ${pattern} or lower(display_name) like ${pattern}
                       or lower(coalesce(email, '')) like ${pattern} or coalesce(phone, '') like ${pattern})`
                ]
              : []),
            ...(Option.isSome(after)
              ? [sql`(created_at, id) < (timestamptz 'epoch' + ${after.value.sortKey}::bigint * interval '1 microsecond', ${after.value.id}::uuid)`]
              : [])
          ])}
          order by created_at desc, id desc
          limit ${filter.limit + 1}`
        const page = pageOf(rows, filter.limit, (row) => ({ sortKey: row.sortKey, id: row.id }))
        return { items: yield* decodeRows(page.items), nextCursor: page.nextCursor }
      })

    /** Sets status (and reason); approving records who approved. Bumps the token version. */
    const setStatus = (id: UserId, status: UserStatus, reason: string | null, by: UserId | null) =>
      sql`
        update users set status = ${status}, status_reason = ${reason},
          approved_by = case when ${status} = 'approved' then ${by}::uuid else approved_by end,
          approved_at = case when ${status} = 'approved' then now() else approved_at end,
          token_version = token_version + case when ${status} = 'approved' then 0 else 1 end,
          updated_at = now()
        where id = ${id} returning ${cols}`.pipe(Effect.flatMap(one))

    const setRole = (id: UserId, role: Role) =>
      sql`update users set role = ${role}, token_version = token_version + 1, updated_at = now()
          where id = ${id} returning ${cols}`.pipe(Effect.flatMap(one))

    const setOrgUnit = (id: UserId, orgUnitId: OrgUnitId) =>
      sql`update users set org_unit_id = ${orgUnitId}, updated_at = now() where id = ${id} returning ${cols}`.pipe(
        Effect.flatMap(one)
      )

    const updateProfile = (id: UserId, changes: ProfileChanges) => {
      const values = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined))
      return Object.keys(values).length === 0
        ? findById(id)
        : sql`update users set ${sql.update({ ...values, updatedAt: new Date() })} where id = ${id} returning ${cols}`.pipe(
            Effect.flatMap(one)
          )
    }

    /** New password: clears a pending forced change and invalidates every token issued before. */
    const setPassword = (id: UserId, passwordHash: string) =>
      sql`update users set password_hash = ${passwordHash}, must_change_password = false,
            token_version = token_version + 1, updated_at = now()
          where id = ${id}`.pipe(Effect.asVoid)

    const bumpTokenVersion = (id: UserId) =>
      sql`update users set token_version = token_version + 1 where id = ${id}`.pipe(Effect.asVoid)

    const countAdmins = sql<{ count: number }>`
      select count(*)::int as count from users where role = 'admin' and status = 'approved'`.pipe(
      Effect.map((rows) => rows[0]?.count ?? 0)
    )

    return {
      insert: (user: NewUser) => insert(user).pipe(Effect.orDie, Effect.withSpan("UsersRepo.insert")),
      findById: (id: UserId) => findById(id).pipe(Effect.orDie, Effect.withSpan("UsersRepo.findById")),
      findByUsername: (username: string) =>
        findByUsername(username).pipe(Effect.orDie, Effect.withSpan("UsersRepo.findByUsername")),
      list: (filter: UserFilter) => list(filter).pipe(Effect.orDie, Effect.withSpan("UsersRepo.list")),
      setStatus: (id: UserId, status: UserStatus, reason: string | null, by: UserId | null) =>
        setStatus(id, status, reason, by).pipe(Effect.orDie, Effect.withSpan("UsersRepo.setStatus")),
      setRole: (id: UserId, role: Role) => setRole(id, role).pipe(Effect.orDie, Effect.withSpan("UsersRepo.setRole")),
      setOrgUnit: (id: UserId, orgUnitId: OrgUnitId) =>
        setOrgUnit(id, orgUnitId).pipe(Effect.orDie, Effect.withSpan("UsersRepo.setOrgUnit")),
      updateProfile: (id: UserId, changes: ProfileChanges) =>
        updateProfile(id, changes).pipe(Effect.orDie, Effect.withSpan("UsersRepo.updateProfile")),
      setPassword: (id: UserId, passwordHash: string) =>
        setPassword(id, passwordHash).pipe(Effect.orDie, Effect.withSpan("UsersRepo.setPassword")),
      bumpTokenVersion: (id: UserId) => bumpTokenVersion(id).pipe(Effect.orDie),
      countAdmins: countAdmins.pipe(Effect.orDie, Effect.withSpan("UsersRepo.countAdmins"))
    }
  })
}) {}
