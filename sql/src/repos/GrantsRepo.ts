import { SqlClient } from "@effect/sql"
import { DeviceGrant, type GrantId, type GrantSubject, type GrantTarget, type UserId } from "@ncod/core"
import { Effect, Option, Schema } from "effect"

const Row = Schema.Struct({
  id: Schema.String,
  deviceId: Schema.NullOr(Schema.String),
  slaveId: Schema.NullOr(Schema.String),
  userId: Schema.NullOr(Schema.String),
  orgUnitId: Schema.NullOr(Schema.String),
  createdBy: Schema.NullOr(Schema.String),
  createdAt: Schema.Unknown
})

const toGrant = (row: typeof Row.Type) =>
  Schema.decodeUnknown(DeviceGrant)({
    id: row.id,
    target: row.deviceId ? { _tag: "device", deviceId: row.deviceId } : { _tag: "slave", slaveId: row.slaveId },
    subject: row.userId ? { _tag: "user", userId: row.userId } : { _tag: "orgUnit", orgUnitId: row.orgUnitId },
    createdBy: row.createdBy,
    createdAt: row.createdAt
  })

export interface GrantFilter {
  readonly deviceId?: string | undefined
  readonly slaveId?: string | undefined
  readonly userId?: string | undefined
  readonly orgUnitId?: string | undefined
}

/** Grants: which user or org unit may use which device or slave. */
export class GrantsRepo extends Effect.Service<GrantsRepo>()("@ncod/sql/GrantsRepo", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const decodeRows = (rows: ReadonlyArray<unknown>) =>
      Effect.flatMap(Schema.decodeUnknown(Schema.Array(Row))(rows), (decoded) => Effect.forEach(decoded, toGrant))

    const list = (filter: GrantFilter) =>
      sql`select id, device_id, slave_id, user_id, org_unit_id, created_by, created_at from device_grants
          where ${sql.and([
            ...(filter.deviceId ? [sql`device_id = ${filter.deviceId}`] : []),
            ...(filter.slaveId ? [sql`slave_id = ${filter.slaveId}`] : []),
            ...(filter.userId ? [sql`user_id = ${filter.userId}`] : []),
            ...(filter.orgUnitId ? [sql`org_unit_id = ${filter.orgUnitId}`] : [])
          ])} order by created_at desc limit 2000`.pipe(Effect.flatMap(decodeRows))

    /** None when the same grant exists already. */
    const insert = (target: GrantTarget, subject: GrantSubject, createdBy: UserId | null) =>
      sql`insert into device_grants (device_id, slave_id, user_id, org_unit_id, created_by)
          values (${target._tag === "device" ? target.deviceId : null}, ${target._tag === "slave" ? target.slaveId : null},
                  ${subject._tag === "user" ? subject.userId : null}, ${subject._tag === "orgUnit" ? subject.orgUnitId : null}, ${createdBy})
          on conflict do nothing
          returning id, device_id, slave_id, user_id, org_unit_id, created_by, created_at`.pipe(
        Effect.flatMap(decodeRows),
        Effect.map((rows) => Option.fromNullable(rows[0]))
      )

    const remove = (id: GrantId) =>
      sql<{ id: string }>`delete from device_grants where id = ${id} returning id`.pipe(Effect.map((rows) => rows.length > 0))

    // counts this process's grant changes, so readers holding a copy of someone's grants (the
    // live event filter) know at once that it is stale; other processes' changes show by age
    let changes = 0
    const changed = Effect.sync(() => void changes++)

    return {
      list: (filter: GrantFilter) => list(filter).pipe(Effect.orDie),
      insert: (target: GrantTarget, subject: GrantSubject, createdBy: UserId | null) =>
        insert(target, subject, createdBy).pipe(Effect.tap(changed), Effect.orDie),
      remove: (id: GrantId) => remove(id).pipe(Effect.tap(changed), Effect.orDie),
      localChanges: Effect.sync(() => changes)
    }
  })
}) {}
