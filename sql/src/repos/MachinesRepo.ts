import { SqlClient } from "@effect/sql"
import { Machine, type MachineId, type MachineStatus, type UserId } from "@ncod/core"
import { Effect, Option, Schema } from "effect"

const columns = "id, user_id, mac, hostname, key_thumbprint, status, requested_at, decided_at, decided_by, last_seen_at"

export class MachineRecord extends Machine.extend<MachineRecord>("MachineRecord")({
  publicKey: Schema.NullOr(Schema.Unknown)
}) {
  toMachine(): Machine {
    const { publicKey: _key, ...machine } = this
    return new Machine(machine)
  }
}

const WithOwner = Schema.Struct({ ...Machine.fields, username: Schema.String, displayName: Schema.String })

/** MAC + key bindings that let a user's CLI sign in from a machine. */
export class MachinesRepo extends Effect.Service<MachinesRepo>()("@ncod/sql/MachinesRepo", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const cols = sql.unsafe(`${columns}, public_key`)
    const decodeRows = Schema.decodeUnknown(Schema.Array(MachineRecord))
    const one = (rows: ReadonlyArray<unknown>) => Effect.map(decodeRows(rows), (m) => Option.fromNullable(m[0]))

    const forUser = (userId: UserId) =>
      sql`select ${cols} from machines where user_id = ${userId} order by requested_at desc`.pipe(Effect.flatMap(decodeRows))

    const forUserAndMacs = (userId: UserId, macs: ReadonlyArray<string>) =>
      macs.length === 0
        ? Effect.succeed([] as ReadonlyArray<MachineRecord>)
        : sql`select ${cols} from machines where user_id = ${userId} and ${sql.in("mac", macs)}`.pipe(
            Effect.flatMap(decodeRows)
          )

    const findById = (id: MachineId) => sql`select ${cols} from machines where id = ${id}`.pipe(Effect.flatMap(one))

    const list = (filter: { readonly status?: MachineStatus | undefined; readonly userId?: UserId | undefined }) =>
      sql`
        select ${sql.unsafe(columns.split(", ").map((c) => `m.${c}`).join(", "))}, u.username, u.display_name
        from machines m join users u on u.id = m.user_id
        where ${sql.and([
          ...(filter.status ? [sql`m.status = ${filter.status}`] : []),
          ...(filter.userId ? [sql`m.user_id = ${filter.userId}`] : [])
        ])}
        order by m.requested_at desc limit 1000`.pipe(
        Effect.flatMap(Schema.decodeUnknown(Schema.Array(WithOwner))),
        Effect.map((rows) =>
          rows.map(({ displayName, username, ...machine }) => ({ machine: new Machine(machine), username, displayName }))
        )
      )

    /** A new request, or a refresh of the key and hostname of one still pending. */
    const request = (input: {
      readonly userId: UserId
      readonly mac: string
      readonly hostname: string
      readonly publicKey: unknown
      readonly keyThumbprint: string
    }) =>
      sql`
        insert into machines (user_id, mac, hostname, public_key, key_thumbprint)
        values (${input.userId}, ${input.mac}, ${input.hostname}, ${JSON.stringify(input.publicKey)}::jsonb, ${input.keyThumbprint})
        on conflict (user_id, mac) do update set hostname = excluded.hostname, public_key = excluded.public_key,
          key_thumbprint = excluded.key_thumbprint, requested_at = now()
        where machines.status = 'pending'
        returning ${cols}`.pipe(Effect.flatMap(one))

    const decide = (id: MachineId, status: MachineStatus, by: UserId) =>
      sql`update machines set status = ${status}, decided_at = now(), decided_by = ${by}
          where id = ${id} returning ${cols}`.pipe(Effect.flatMap(one))

    /** First sign-in on a binding an admin created without a key: trust this key from now on. */
    const attachKey = (id: MachineId, publicKey: unknown, keyThumbprint: string) =>
      sql`update machines set public_key = ${JSON.stringify(publicKey)}::jsonb, key_thumbprint = ${keyThumbprint}
          where id = ${id} and key_thumbprint is null returning ${cols}`.pipe(Effect.flatMap(one))

    const touch = (id: MachineId, hostname: string) =>
      sql`update machines set last_seen_at = now(), hostname = ${hostname} where id = ${id}`.pipe(Effect.asVoid)

    return {
      forUser: (userId: UserId) => forUser(userId).pipe(Effect.orDie),
      forUserAndMacs: (userId: UserId, macs: ReadonlyArray<string>) => forUserAndMacs(userId, macs).pipe(Effect.orDie),
      findById: (id: MachineId) => findById(id).pipe(Effect.orDie),
      list: (filter: { readonly status?: MachineStatus | undefined; readonly userId?: UserId | undefined }) =>
        list(filter).pipe(Effect.orDie),
      request: (input: Parameters<typeof request>[0]) => request(input).pipe(Effect.orDie),
      decide: (id: MachineId, status: MachineStatus, by: UserId) => decide(id, status, by).pipe(Effect.orDie),
      attachKey: (id: MachineId, publicKey: unknown, keyThumbprint: string) =>
        attachKey(id, publicKey, keyThumbprint).pipe(Effect.orDie),
      touch: (id: MachineId, hostname: string) => touch(id, hostname).pipe(Effect.orDie)
    }
  })
}) {}
