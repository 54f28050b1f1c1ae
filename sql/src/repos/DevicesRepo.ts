import { SqlClient } from "@effect/sql"
import {
  Device,
  DeviceEvent,
  type DeviceEventKind,
  type DeviceId,
  type DeviceQuery,
  type DeviceState,
  DeviceView,
  type OrgUnitId,
  type SlaveId,
  type UserId
} from "@ncod/core"
import { Effect, Option, Schema } from "effect"
import { decodeCursor, microsSql, pageOf } from "../Cursor.js"

const deviceColumns = `id, slave_id, vh_address, stable_key, vendor_id, product_id, manufacturer, product, serial,
  bus_path, speed, device_class, nickname, tags, state, bound_client, first_seen_at, last_seen_at`

/** Who may see which devices: everything, or what grants give a user and their org units. */
export type Visibility =
  | { readonly _tag: "all" }
  | { readonly _tag: "granted"; readonly userId: UserId; readonly orgUnitIds: ReadonlyArray<OrgUnitId> }

export interface NewDeviceRow {
  readonly slaveId: SlaveId
  readonly vhAddress: string
  readonly stableKey: string
  readonly vendorId: string
  readonly productId: string
  readonly manufacturer: string | null
  readonly product: string | null
  readonly serial: string | null
  readonly busPath: string | null
  readonly speed: string | null
  readonly deviceClass: string | null
  readonly state: DeviceState
  readonly boundClient: string | null
}

export type DeviceFieldChanges = Partial<Omit<NewDeviceRow, "slaveId" | "stableKey">>

export interface NewDeviceEvent {
  readonly deviceId: DeviceId
  readonly slaveId: SlaveId
  readonly kind: DeviceEventKind
  readonly details: Readonly<Record<string, unknown>>
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`)

const ViewRow = Schema.Struct({
  ...Device.fields,
  slaveName: Schema.String,
  slaveStatus: Schema.Literal("online", "offline", "decommissioned"),
  holderLeaseId: Schema.NullOr(Schema.String),
  holderUserId: Schema.NullOr(Schema.String),
  holderUsername: Schema.NullOr(Schema.String),
  holderDisplayName: Schema.NullOr(Schema.String),
  holderLeaseState: Schema.NullOr(Schema.String),
  holderSince: Schema.NullOr(Schema.Unknown)
})

/** Devices: the inventory as users query it, and the writes report ingestion makes. */
export class DevicesRepo extends Effect.Service<DevicesRepo>()("@ncod/sql/DevicesRepo", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const cols = sql.unsafe(deviceColumns)
    const qualified = sql.unsafe(deviceColumns.split(",").map((c) => `d.${c.trim()}`).join(", "))
    const decodeDevices = Schema.decodeUnknown(Schema.Array(Device))
    const decodeViews = Schema.decodeUnknown(Schema.Array(ViewRow))

    const visible = (visibility: Visibility) =>
      visibility._tag === "all"
        ? sql`true`
        : sql`exists (select 1 from device_grants g
                where (g.device_id = d.id or g.slave_id = d.slave_id)
                  and (g.user_id = ${visibility.userId} or g.org_unit_id = any(${visibility.orgUnitIds}::uuid[])))`

    const toViews = (rows: ReadonlyArray<unknown>) =>
      Effect.flatMap(decodeViews(rows), (decoded) =>
        Schema.decodeUnknown(Schema.Array(DeviceView))(
          decoded.map(({ holderDisplayName, holderLeaseId, holderLeaseState, holderSince, holderUserId, holderUsername, slaveName, slaveStatus, ...device }) => ({
            device: Schema.encodeSync(Device)(new Device(device)),
            slaveName,
            slaveStatus,
            holder:
              holderUserId === null
                ? null
                : { leaseId: holderLeaseId, userId: holderUserId, username: holderUsername, displayName: holderDisplayName, leaseState: holderLeaseState, since: holderSince }
          }))
        )
      )

    const viewSelect = sql`
      select ${qualified}, s.name as slave_name, s.status as slave_status,
        l.id as holder_lease_id, u.id as holder_user_id, u.username as holder_username, u.display_name as holder_display_name,
        l.state as holder_lease_state, l.started_at as holder_since`
    const viewFrom = sql`
      from devices d join slaves s on s.id = d.slave_id
      left join leases l on l.device_id = d.id and l.ended_at is null
      left join users u on u.id = l.user_id`

    const sortExpressions = {
      name: "lower(coalesce(d.nickname, d.product, d.vendor_id || ':' || d.product_id))",
      lastSeen: microsSql("d.last_seen_at"),
      slave: "lower(s.name) || ' ' || lower(coalesce(d.nickname, d.product, ''))"
    } as const

    const list = (query: DeviceQuery & { readonly limit: number }, visibility: Visibility) =>
      Effect.gen(function* () {
        const sort = query.sort ?? "name"
        const sortExpr = sql.unsafe(sortExpressions[sort])
        const direction = sort === "lastSeen" ? sql.unsafe("desc") : sql.unsafe("asc")
        const after = decodeCursor(query.cursor, sort === "lastSeen" ? "micros" : "text")
        const pattern = query.q ? `%${escapeLike(query.q.toLowerCase())}%` : undefined
        const rows = yield* sql<{ sortKey: string; id: string }>`
          ${viewSelect}, ${sortExpr} as sort_key
          ${viewFrom}
          where ${sql.and([
            visible(visibility),
            query.state ? sql`d.state = ${query.state}` : sql`d.state <> 'removed'`,
            ...(query.slaveId ? [sql`d.slave_id = ${query.slaveId}`] : []),
            ...(query.vendorId ? [sql`d.vendor_id = ${query.vendorId}`] : []),
            ...(query.productId ? [sql`d.product_id = ${query.productId}`] : []),
            ...(pattern
              ? [
                  sql`(lower(coalesce(d.product, '')) like ${pattern} or lower(coalesce(d.manufacturer, '')) like ${pattern}
                       or lower(coalesce(d.nickname, '')) like ${pattern} or lower(coalesce(d.serial, '')) like ${pattern}
                       or lower(s.name) like ${pattern} or lower(array_to_string(d.tags, ' ')) like ${pattern}
                       or (d.vendor_id || ':' || d.product_id) like ${pattern})`
                ]
              : []),
            ...(Option.isSome(after)
              ? [
                  sort === "lastSeen"
                    ? sql`(${sortExpr}::bigint, d.id) < (${after.value.sortKey}::bigint, ${after.value.id}::uuid)`
                    : sql`(${sortExpr}, d.id) > (${after.value.sortKey}, ${after.value.id}::uuid)`
                ]
              : [])
          ])}
          order by ${sort === "lastSeen" ? sql`${sortExpr}::bigint` : sortExpr} ${direction}, d.id ${direction}
          limit ${query.limit + 1}`
        const page = pageOf(rows, query.limit, (row) => ({ sortKey: row.sortKey, id: row.id }))
        return { items: yield* toViews(page.items), nextCursor: page.nextCursor }
      })

    const view = (id: DeviceId, visibility: Visibility) =>
      sql`${viewSelect} ${viewFrom} where d.id = ${id} and ${visible(visibility)}`.pipe(
        Effect.flatMap(toViews),
        Effect.map((views) => Option.fromNullable(views[0]))
      )

    /** The slaves on which some device is visible (what a user's slave list shows). */
    const visibleSlaveIds = (visibility: Visibility) =>
      sql<{ slaveId: SlaveId }>`select distinct d.slave_id from devices d where ${visible(visibility)}`.pipe(
        Effect.map((rows) => rows.map((row) => row.slaveId))
      )

    /**
     * What a user's grants cover, for filtering live events without a query per event: slaves
     * granted whole, single devices granted, and the slaves those devices are on.
     */
    const grantScope = (visibility: Visibility) =>
      visibility._tag === "all"
        ? Effect.succeed({ slaveIds: new Set<string>(), deviceIds: new Set<string>(), deviceSlaveIds: new Set<string>() })
        : sql<{ slaveId: string | null; deviceId: string | null; deviceSlaveId: string | null }>`
            select g.slave_id, g.device_id, d.slave_id as device_slave_id
            from device_grants g left join devices d on d.id = g.device_id
            where g.user_id = ${visibility.userId} or g.org_unit_id = any(${visibility.orgUnitIds}::uuid[])`.pipe(
            Effect.map((rows) => ({
              slaveIds: new Set(rows.flatMap((row) => (row.slaveId === null ? [] : [row.slaveId]))),
              deviceIds: new Set(rows.flatMap((row) => (row.deviceId === null ? [] : [row.deviceId]))),
              deviceSlaveIds: new Set(rows.flatMap((row) => (row.deviceSlaveId === null ? [] : [row.deviceSlaveId])))
            }))
          )

    const events = (id: DeviceId, limit: number) =>
      sql`select id, device_id, slave_id, kind, details, at from device_events where device_id = ${id}
          order by at desc limit ${limit}`.pipe(Effect.flatMap(Schema.decodeUnknown(Schema.Array(DeviceEvent))))

    /** The devices ingestion compares a report with: present ones, and removed ones coming back. */
    const forDiff = (slaveId: SlaveId, reportedKeys: ReadonlyArray<string>) =>
      sql`select ${cols} from devices where slave_id = ${slaveId}
          and (state <> 'removed' or stable_key = any(${reportedKeys}::text[]))`.pipe(Effect.flatMap(decodeDevices))

    /**
     * New devices and their "added" events in one statement: a round trip to the database costs the
     * master more than the rows (a cold fleet's first reports are mostly round trips).
     */
    const insertAdded = (rows: ReadonlyArray<NewDeviceRow>) =>
      rows.length === 0
        ? Effect.succeed([] as ReadonlyArray<Device>)
        : sql`with added as (insert into devices ${sql.insert(rows.map((row) => ({ ...row })))} returning ${cols}),
            logged as (insert into device_events (device_id, slave_id, kind, details)
              select id, slave_id, 'added', jsonb_build_object('vhAddress', vh_address) from added)
            select * from added`.pipe(Effect.flatMap(decodeDevices))

    const updateOne = (id: DeviceId, changes: DeviceFieldChanges) =>
      sql`update devices set ${sql.update({ ...changes, lastSeenAt: new Date(), updatedAt: new Date() })}
          where id = ${id} returning ${cols}`.pipe(Effect.flatMap(decodeDevices), Effect.map((rows) => rows[0]!))

    const setStateForSlave = (slaveId: SlaveId, from: ReadonlyArray<DeviceState>, to: DeviceState) =>
      sql`update devices set state = ${to}, updated_at = now() where slave_id = ${slaveId} and state = any(${from}::text[])
          returning ${cols}`.pipe(Effect.flatMap(decodeDevices))

    const insertEvents = (rows: ReadonlyArray<NewDeviceEvent>) =>
      rows.length === 0
        ? Effect.void
        : sql`insert into device_events ${sql.insert(rows.map((row) => ({ ...row, details: JSON.stringify(row.details) })))}`.pipe(Effect.asVoid)

    const findById = (id: DeviceId) =>
      sql`select ${cols} from devices where id = ${id}`.pipe(Effect.flatMap(decodeDevices), Effect.map((rows) => Option.fromNullable(rows[0])))

    const setLabels = (id: DeviceId, changes: { readonly nickname?: string | null | undefined; readonly tags?: ReadonlyArray<string> | undefined }) => {
      const values: Record<string, unknown> = {}
      if (changes.nickname !== undefined) values["nickname"] = changes.nickname
      if (changes.tags !== undefined) values["tags"] = changes.tags
      return Object.keys(values).length === 0
        ? findById(id)
        : sql`update devices set ${sql.update({ ...values, updatedAt: new Date() })} where id = ${id} returning ${cols}`.pipe(
            Effect.flatMap(decodeDevices),
            Effect.map((rows) => Option.fromNullable(rows[0]))
          )
    }

    const countByState = sql<{ state: DeviceState; n: number }>`select state, count(*)::int as n from devices group by state`

    return {
      list: (query: DeviceQuery & { readonly limit: number }, visibility: Visibility) =>
        list(query, visibility).pipe(Effect.orDie, Effect.withSpan("DevicesRepo.list")),
      view: (id: DeviceId, visibility: Visibility) => view(id, visibility).pipe(Effect.orDie),
      visibleSlaveIds: (visibility: Visibility) => visibleSlaveIds(visibility).pipe(Effect.orDie),
      grantScope: (visibility: Visibility) => grantScope(visibility).pipe(Effect.orDie),
      events: (id: DeviceId, limit: number) => events(id, limit).pipe(Effect.orDie),
      forDiff: (slaveId: SlaveId, reportedKeys: ReadonlyArray<string>) => forDiff(slaveId, reportedKeys).pipe(Effect.orDie),
      insertAdded: (rows: ReadonlyArray<NewDeviceRow>) => insertAdded(rows).pipe(Effect.orDie),
      updateOne: (id: DeviceId, changes: DeviceFieldChanges) => updateOne(id, changes).pipe(Effect.orDie),
      setStateForSlave: (slaveId: SlaveId, from: ReadonlyArray<DeviceState>, to: DeviceState) =>
        setStateForSlave(slaveId, from, to).pipe(Effect.orDie),
      insertEvents: (rows: ReadonlyArray<NewDeviceEvent>) => insertEvents(rows).pipe(Effect.orDie),
      findById: (id: DeviceId) => findById(id).pipe(Effect.orDie),
      setLabels: (id: DeviceId, changes: Parameters<typeof setLabels>[1]) => setLabels(id, changes).pipe(Effect.orDie),
      countByState: countByState.pipe(Effect.orDie)
    }
  })
}) {}
