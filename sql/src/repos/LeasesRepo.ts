import { SqlClient, type Statement } from "@effect/sql"
import {
  type DeviceId,
  Lease,
  type LeaseEndReason,
  type LeaseId,
  type LeaseState,
  type MachineId,
  type OrgUnitId,
  SlaveGrant,
  type SlaveId,
  UsageRecord,
  type UserId
} from "@ncod/core"
import { Effect, Option, Schema } from "effect"
import { decodeCursor, microsSql, pageOf } from "../Cursor.js"

const leaseColumns = "id, device_id, user_id, machine_id, client_identity, state, suspended_reason, started_at, expires_at, ended_at, end_reason"
const qualified = leaseColumns.split(", ").map((c) => `l.${c}`).join(", ")

/** A lease with what the server keeps to itself. */
export class LeaseRecord extends Lease.extend<LeaseRecord>("LeaseRecord")({
  bindPasswordMd5: Schema.NullOr(Schema.String),
  resumeState: Schema.NullOr(Schema.Literal("pending", "active")),
  slaveId: Schema.String
}) {
  toLease(): Lease {
    const { bindPasswordMd5: _a, resumeState: _b, slaveId: _c, ...lease } = this
    return new Lease(lease)
  }
}

const recordColumns = `${qualified}, l.bind_password_md5, l.resume_state, d.slave_id`

export interface HolderRow {
  readonly lease: LeaseRecord
  readonly username: string
  readonly displayName: string
}

export interface UsageFilter {
  readonly userId?: UserId | undefined
  readonly deviceId?: DeviceId | undefined
  readonly orgUnitIds?: ReadonlyArray<OrgUnitId> | undefined
  readonly from?: Date | undefined
  readonly to?: Date | undefined
  readonly open?: boolean | undefined
  readonly limit: number
  readonly cursor?: string | undefined
}

/** Leases, the waitlist and release requests. */
export class LeasesRepo extends Effect.Service<LeasesRepo>()("@ncod/sql/LeasesRepo", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const cols = sql.unsafe(recordColumns)
    const decodeRecords = Schema.decodeUnknown(Schema.Array(LeaseRecord))
    const one = (rows: ReadonlyArray<unknown>) => Effect.map(decodeRecords(rows), (r) => Option.fromNullable(r[0]))
    const fromLeases = sql.unsafe("from leases l join devices d on d.id = l.device_id")

    /** None when the device already has an open lease (the partial unique index decides). */
    const insert = (input: { deviceId: DeviceId; userId: UserId; machineId: MachineId | null; expiresAt: Date }) =>
      sql`with inserted as (
            insert into leases (device_id, user_id, machine_id, expires_at, last_client_seen_at)
            values (${input.deviceId}, ${input.userId}, ${input.machineId}, ${input.expiresAt}, now())
            on conflict do nothing returning *)
          select ${sql.unsafe(recordColumns.replaceAll("l.", "inserted."))}
          from inserted join devices d on d.id = inserted.device_id`.pipe(Effect.flatMap(one))

    const findById = (id: LeaseId) => sql`select ${cols} ${fromLeases} where l.id = ${id}`.pipe(Effect.flatMap(one))

    const openHolder = (deviceId: DeviceId) =>
      sql<{ username: string; displayName: string }>`
        select ${cols}, u.username, u.display_name ${fromLeases} join users u on u.id = l.user_id
        where l.device_id = ${deviceId} and l.ended_at is null`.pipe(
        Effect.flatMap((rows) =>
          Effect.map(decodeRecords(rows), (records): Option.Option<HolderRow> =>
            records[0] ? Option.some({ lease: records[0], username: rows[0]!.username, displayName: rows[0]!.displayName }) : Option.none()
          )
        )
      )

    const openForUser = (userId: UserId) =>
      sql`select ${cols} ${fromLeases} where l.user_id = ${userId} and l.ended_at is null order by l.started_at desc`.pipe(
        Effect.flatMap(decodeRecords)
      )

    const attach = (id: LeaseId, clientIdentity: string, machineId: MachineId | null, bindPasswordMd5: string | null) =>
      sql`update leases set client_identity = ${clientIdentity}, machine_id = coalesce(${machineId}, machine_id),
            bind_password_md5 = ${bindPasswordMd5}, last_client_seen_at = now()
          where id = ${id} and ended_at is null returning id`.pipe(Effect.zipRight(findById(id)))

    /** Moves an open lease between live states; suspension remembers where to return. */
    const transition = (id: LeaseId, from: ReadonlyArray<LeaseState>, to: LeaseState, extra: { suspendedReason?: "slave_offline" | "client_lost" } = {}) =>
      sql<{ id: string }>`
        update leases set state = ${to},
          suspended_at = case when ${to} = 'suspended' then now() else null end,
          suspended_reason = ${extra.suspendedReason ?? null},
          resume_state = case when ${to} = 'suspended' then (case when state = 'suspended' then resume_state else state end) else null end,
          last_client_seen_at = case when ${to} = 'active' then now() else last_client_seen_at end
        where id = ${id} and ended_at is null and state = any(${from}::text[]) returning id`.pipe(
        Effect.flatMap((rows) => (rows.length === 0 ? Effect.succeed(Option.none<LeaseRecord>()) : findById(id)))
      )

    const touch = (id: LeaseId) => sql`update leases set last_client_seen_at = now() where id = ${id} and ended_at is null`.pipe(Effect.asVoid)

    const extend = (id: LeaseId, expiresAt: Date) =>
      sql`update leases set expires_at = ${expiresAt}, warned_at = null where id = ${id} and ended_at is null returning id`.pipe(
        Effect.zipRight(findById(id))
      )

    const end = (id: LeaseId, reason: LeaseEndReason, endedBy: UserId | null) =>
      sql<{ id: string }>`update leases set state = 'ended', ended_at = now(), end_reason = ${reason}, ended_by = ${endedBy},
            suspended_reason = null, resume_state = null
          where id = ${id} and ended_at is null returning id`.pipe(
        Effect.flatMap((rows) => (rows.length === 0 ? Effect.succeed(Option.none<LeaseRecord>()) : findById(id)))
      )

    const endWhere = (condition: Statement.Fragment, reason: LeaseEndReason) =>
      sql<{ id: LeaseId }>`update leases l set state = 'ended', ended_at = now(), end_reason = ${reason},
            suspended_reason = null, resume_state = null
          from devices d where d.id = l.device_id and l.ended_at is null and ${condition} returning l.id`.pipe(
        Effect.flatMap((rows) => (rows.length === 0 ? Effect.succeed([]) : sql`select ${cols} ${fromLeases} where l.id = any(${rows.map((r) => r.id)}::uuid[])`.pipe(Effect.flatMap(decodeRecords))))
      )

    const endForDevices = (deviceIds: ReadonlyArray<DeviceId>, reason: LeaseEndReason) =>
      deviceIds.length === 0 ? Effect.succeed([] as ReadonlyArray<LeaseRecord>) : endWhere(sql`l.device_id = any(${deviceIds}::uuid[])`, reason)

    const endForUser = (userId: UserId, reason: LeaseEndReason) => endWhere(sql`l.user_id = ${userId}`, reason)

    const endExpired = endWhere(sql`l.expires_at <= now()`, "expired")

    const endGraceExpired = (graceSeconds: number) =>
      endWhere(sql`l.state = 'suspended' and l.suspended_reason = 'client_lost' and l.suspended_at < now() - ${graceSeconds} * interval '1 second'`, "grace_expired")

    const suspendWhere = (condition: Statement.Fragment, reason: "slave_offline" | "client_lost") =>
      sql<{ id: LeaseId }>`update leases l set resume_state = case when l.state = 'suspended' then l.resume_state else l.state end,
            state = 'suspended', suspended_at = now(), suspended_reason = ${reason}
          from devices d where d.id = l.device_id and l.ended_at is null and ${condition} returning l.id`.pipe(
        Effect.flatMap((rows) => (rows.length === 0 ? Effect.succeed([]) : sql`select ${cols} ${fromLeases} where l.id = any(${rows.map((r) => r.id)}::uuid[])`.pipe(Effect.flatMap(decodeRecords))))
      )

    const suspendForSlave = (slaveId: SlaveId) => suspendWhere(sql`d.slave_id = ${slaveId} and l.state in ('pending', 'active', 'suspended')`, "slave_offline")

    const suspendSilentClients = (timeoutSeconds: number) =>
      suspendWhere(sql`l.state = 'active' and l.last_client_seen_at < now() - ${timeoutSeconds} * interval '1 second'`, "client_lost")

    /** Resumes leases suspended for `reason` (on this slave, or this one lease) to where they were. */
    const resumeWhere = (condition: Statement.Fragment) =>
      sql<{ id: LeaseId }>`update leases l set state = coalesce(l.resume_state, 'pending'), suspended_at = null, suspended_reason = null,
            resume_state = null, last_client_seen_at = now()
          from devices d where d.id = l.device_id and l.ended_at is null and l.state = 'suspended' and ${condition} returning l.id`.pipe(
        Effect.flatMap((rows) => (rows.length === 0 ? Effect.succeed([]) : sql`select ${cols} ${fromLeases} where l.id = any(${rows.map((r) => r.id)}::uuid[])`.pipe(Effect.flatMap(decodeRecords))))
      )

    const resumeForSlave = (slaveId: SlaveId) => resumeWhere(sql`d.slave_id = ${slaveId} and l.suspended_reason = 'slave_offline'`)
    const resumeClient = (id: LeaseId) => resumeWhere(sql`l.id = ${id} and l.suspended_reason = 'client_lost'`)

    /** Open leases about to expire that were not warned yet; marks them warned. */
    const takeExpiring = (withinSeconds: number) =>
      sql<{ id: LeaseId }>`update leases set warned_at = now()
          where ended_at is null and warned_at is null and expires_at <= now() + ${withinSeconds} * interval '1 second'
          returning id`.pipe(
        Effect.flatMap((rows) => (rows.length === 0 ? Effect.succeed([]) : sql`select ${cols} ${fromLeases} where l.id = any(${rows.map((r) => r.id)}::uuid[])`.pipe(Effect.flatMap(decodeRecords))))
      )

    const grantsWhere = (condition: Statement.Fragment) =>
      sql`select l.id as lease_id, l.device_id, d.stable_key, d.vh_address, d.vendor_id, d.product_id, d.serial, d.bus_path,
            l.client_identity, l.bind_password_md5, l.user_id, u.username, l.expires_at
          from leases l join devices d on d.id = l.device_id join users u on u.id = l.user_id
          where ${condition} and l.ended_at is null and l.state in ('pending', 'active') and l.client_identity is not null`.pipe(
        Effect.flatMap(Schema.decodeUnknown(Schema.Array(SlaveGrant)))
      )
    const grantsForSlave = (slaveId: SlaveId) => grantsWhere(sql`d.slave_id = ${slaveId}`)
    const grantFor = (leaseId: LeaseId) => Effect.map(grantsWhere(sql`l.id = ${leaseId}`), (grants) => Option.fromNullable(grants[0]))

    // waitlist
    const queueLength = (deviceId: DeviceId) =>
      sql<{ n: number }>`select count(*)::int as n from lease_waitlist where device_id = ${deviceId} and state in ('waiting', 'offered')`.pipe(
        Effect.map((rows) => rows[0]?.n ?? 0)
      )

    const enqueue = (deviceId: DeviceId, userId: UserId) =>
      sql`insert into lease_waitlist (device_id, user_id) values (${deviceId}, ${userId}) on conflict do nothing`.pipe(Effect.asVoid)

    const dequeue = (deviceId: DeviceId, userId: UserId) =>
      sql`update lease_waitlist set state = 'cancelled' where device_id = ${deviceId} and user_id = ${userId} and state in ('waiting', 'offered')`.pipe(
        Effect.asVoid
      )

    const QueueRow = Schema.Struct({
      deviceId: Schema.String,
      position: Schema.Int,
      state: Schema.Literal("waiting", "offered"),
      claimExpiresAt: Schema.NullOr(Schema.DateFromSelf),
      queuedAt: Schema.DateFromSelf
    })
    const queueOf = (userId: UserId) =>
      sql`select w.device_id, w.state, w.claim_expires_at, w.queued_at,
            (select count(*)::int from lease_waitlist o where o.device_id = w.device_id and o.state in ('waiting', 'offered')
               and o.queued_at <= w.queued_at) as position
          from lease_waitlist w where w.user_id = ${userId} and w.state in ('waiting', 'offered') order by w.queued_at`.pipe(
        Effect.flatMap(Schema.decodeUnknown(Schema.Array(QueueRow)))
      )

    /** Whose turn it is on a device: a live offer, else nobody. */
    const offerHolder = (deviceId: DeviceId) =>
      sql<{ userId: UserId }>`select user_id from lease_waitlist where device_id = ${deviceId} and state = 'offered' and claim_expires_at > now()`.pipe(
        Effect.map((rows) => Option.fromNullable(rows[0]?.userId))
      )

    const markClaimed = (deviceId: DeviceId, userId: UserId) =>
      sql`update lease_waitlist set state = 'claimed' where device_id = ${deviceId} and user_id = ${userId} and state in ('waiting', 'offered')`.pipe(
        Effect.asVoid
      )

    const expireOffers = sql`update lease_waitlist set state = 'expired' where state = 'offered' and claim_expires_at <= now()`.pipe(Effect.asVoid)

    /** For free, available devices with people waiting and no live offer: offer to the first in line. */
    const makeOffers = (claimSeconds: number) =>
      sql<{ deviceId: DeviceId; userId: UserId; claimExpiresAt: Date }>`
        update lease_waitlist w set state = 'offered', offered_at = now(), claim_expires_at = now() + ${claimSeconds} * interval '1 second'
        from (
          select distinct on (w2.device_id) w2.id from lease_waitlist w2 join devices d on d.id = w2.device_id
          where w2.state = 'waiting' and d.state = 'available'
            and not exists (select 1 from leases l where l.device_id = w2.device_id and l.ended_at is null)
            and not exists (select 1 from lease_waitlist o where o.device_id = w2.device_id and o.state = 'offered')
          order by w2.device_id, w2.queued_at
        ) first_in_line
        where w.id = first_in_line.id
        returning w.device_id, w.user_id, w.claim_expires_at`

    // release requests
    const requestRelease = (leaseId: LeaseId, userId: UserId, message: string) =>
      sql`insert into release_requests (lease_id, requested_by, message) values (${leaseId}, ${userId}, ${message})`.pipe(Effect.asVoid)

    const RequestRow = Schema.Struct({ requestedBy: Schema.String, username: Schema.String, displayName: Schema.String, message: Schema.String, requestedAt: Schema.DateFromSelf })
    const openRequests = (leaseId: LeaseId) =>
      sql`select r.requested_by, u.username, u.display_name, r.message, r.requested_at from release_requests r
          join users u on u.id = r.requested_by where r.lease_id = ${leaseId} and r.declined_at is null order by r.requested_at desc`.pipe(
        Effect.flatMap(Schema.decodeUnknown(Schema.Array(RequestRow)))
      )

    const declineRequests = (leaseId: LeaseId) =>
      sql<{ requestedBy: UserId }>`update release_requests set declined_at = now() where lease_id = ${leaseId} and declined_at is null
          returning requested_by`.pipe(Effect.map((rows) => rows.map((row) => row.requestedBy)))

    // history
    const usage = (filter: UsageFilter) =>
      Effect.gen(function* () {
        const after = decodeCursor(filter.cursor, "micros")
        const rows = yield* sql<{ sortKey: string; id: string }>`
          select ${sql.unsafe(qualified)}, u.username, u.display_name,
            coalesce(d.nickname, d.product, d.vendor_id || ':' || d.product_id) as device_name, s.name as slave_name,
            extract(epoch from (coalesce(l.ended_at, now()) - l.started_at))::int as duration_seconds,
            ${sql.unsafe(microsSql("l.started_at"))} as sort_key
          from leases l join users u on u.id = l.user_id join devices d on d.id = l.device_id join slaves s on s.id = d.slave_id
          where ${sql.and([
            ...(filter.userId ? [sql`l.user_id = ${filter.userId}`] : []),
            ...(filter.deviceId ? [sql`l.device_id = ${filter.deviceId}`] : []),
            ...(filter.orgUnitIds ? [sql`u.org_unit_id = any(${filter.orgUnitIds}::uuid[])`] : []),
            ...(filter.from ? [sql`coalesce(l.ended_at, now()) >= ${filter.from}`] : []),
            ...(filter.to ? [sql`l.started_at < ${filter.to}`] : []),
            ...(filter.open === true ? [sql`l.ended_at is null`] : filter.open === false ? [sql`l.ended_at is not null`] : []),
            ...(Option.isSome(after)
              ? [sql`(l.started_at, l.id) < (timestamptz 'epoch' + ${after.value.sortKey}::bigint * interval '1 microsecond', ${after.value.id}::uuid)`]
              : [])
          ])}
          order by l.started_at desc, l.id desc limit ${filter.limit + 1}`
        const page = pageOf(rows, filter.limit, (row) => ({ sortKey: row.sortKey, id: row.id }))
        const items = yield* Schema.decodeUnknown(Schema.Array(UsageRecord))(
          page.items.map((row) => {
            const r = row as unknown as Record<string, unknown>
            return {
              lease: { id: r["id"], deviceId: r["deviceId"], userId: r["userId"], machineId: r["machineId"], clientIdentity: r["clientIdentity"], state: r["state"], suspendedReason: r["suspendedReason"], startedAt: r["startedAt"], expiresAt: r["expiresAt"], endedAt: r["endedAt"], endReason: r["endReason"] },
              username: r["username"],
              displayName: r["displayName"],
              deviceName: r["deviceName"],
              slaveName: r["slaveName"],
              durationSeconds: r["durationSeconds"]
            }
          })
        )
        return { items, nextCursor: page.nextCursor }
      })

    const die = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.orDie(effect)
    return {
      insert: (input: Parameters<typeof insert>[0]) => die(insert(input)),
      findById: (id: LeaseId) => die(findById(id)),
      openHolder: (deviceId: DeviceId) => die(openHolder(deviceId)),
      openForUser: (userId: UserId) => die(openForUser(userId)),
      attach: (id: LeaseId, clientIdentity: string, machineId: MachineId | null, md5: string | null) => die(attach(id, clientIdentity, machineId, md5)),
      transition: (id: LeaseId, from: ReadonlyArray<LeaseState>, to: LeaseState, extra?: { suspendedReason?: "slave_offline" | "client_lost" }) =>
        die(transition(id, from, to, extra)),
      touch: (id: LeaseId) => die(touch(id)),
      extend: (id: LeaseId, expiresAt: Date) => die(extend(id, expiresAt)),
      end: (id: LeaseId, reason: LeaseEndReason, endedBy: UserId | null) => die(end(id, reason, endedBy)),
      endForDevices: (deviceIds: ReadonlyArray<DeviceId>, reason: LeaseEndReason) => die(endForDevices(deviceIds, reason)),
      endForUser: (userId: UserId, reason: LeaseEndReason) => die(endForUser(userId, reason)),
      endExpired: die(endExpired),
      endGraceExpired: (graceSeconds: number) => die(endGraceExpired(graceSeconds)),
      suspendForSlave: (slaveId: SlaveId) => die(suspendForSlave(slaveId)),
      suspendSilentClients: (timeoutSeconds: number) => die(suspendSilentClients(timeoutSeconds)),
      resumeForSlave: (slaveId: SlaveId) => die(resumeForSlave(slaveId)),
      resumeClient: (id: LeaseId) => die(resumeClient(id)),
      takeExpiring: (withinSeconds: number) => die(takeExpiring(withinSeconds)),
      grantsForSlave: (slaveId: SlaveId) => die(grantsForSlave(slaveId)),
      grantFor: (leaseId: LeaseId) => die(grantFor(leaseId)),
      queueLength: (deviceId: DeviceId) => die(queueLength(deviceId)),
      enqueue: (deviceId: DeviceId, userId: UserId) => die(enqueue(deviceId, userId)),
      dequeue: (deviceId: DeviceId, userId: UserId) => die(dequeue(deviceId, userId)),
      queueOf: (userId: UserId) => die(queueOf(userId)),
      offerHolder: (deviceId: DeviceId) => die(offerHolder(deviceId)),
      markClaimed: (deviceId: DeviceId, userId: UserId) => die(markClaimed(deviceId, userId)),
      expireOffers: die(expireOffers),
      makeOffers: (claimSeconds: number) => die(makeOffers(claimSeconds)),
      requestRelease: (leaseId: LeaseId, userId: UserId, message: string) => die(requestRelease(leaseId, userId, message)),
      openRequests: (leaseId: LeaseId) => die(openRequests(leaseId)),
      declineRequests: (leaseId: LeaseId) => die(declineRequests(leaseId)),
      usage: (filter: UsageFilter) => die(usage(filter))
    }
  })
}) {}
