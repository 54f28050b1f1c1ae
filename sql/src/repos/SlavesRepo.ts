import { SqlClient } from "@effect/sql"
import { type AccessMode, Slave, type SlaveId, type SlaveStatus } from "@ncod/core"
import { Effect, Option, Schema } from "effect"

const columns = `id, name, host, vh_port, status, access_mode, degraded, last_seen_at, last_report_seq, agent_version,
  labels, vh_server_name, vh_server_version, vh_licensed, vh_max_devices, decommissioned_at, created_at`

const Counts = Schema.Struct({ available: Schema.Int, inUse: Schema.Int, offline: Schema.Int })
const SlaveWithCounts = Schema.Struct({ ...Slave.fields, available: Schema.Int, inUse: Schema.Int, offline: Schema.Int })

export interface SlaveLock {
  readonly status: SlaveStatus
  readonly lastReportSeq: number
  readonly inventoryHash: string | null
  readonly accessMode: AccessMode
  readonly degraded: boolean
}

export interface SlaveCredentialRow {
  readonly id: SlaveId
  readonly name: string
  readonly status: SlaveStatus
  readonly credentialHash: string | null
}

export interface HeartbeatRow {
  readonly slaveId: SlaveId
  readonly seq: number
  readonly at: Date
  readonly hash: string
}

export interface ReportedSlaveState {
  readonly seq: number
  readonly hash: string
  readonly agentVersion: string
  readonly accessMode: AccessMode
  readonly degraded: boolean
  readonly vhServerName: string
  readonly vhServerVersion: string | null
  readonly vhLicensed: boolean
  readonly vhMaxDevices: number | null
}

/** Slaves: identity, credentials, heartbeats and status. */
export class SlavesRepo extends Effect.Service<SlavesRepo>()("@ncod/sql/SlavesRepo", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const cols = sql.unsafe(columns)
    const decodeRows = Schema.decodeUnknown(Schema.Array(Slave))
    const one = (rows: ReadonlyArray<unknown>) => Effect.map(decodeRows(rows), (s) => Option.fromNullable(s[0]))
    const withCounts = (rows: ReadonlyArray<unknown>) =>
      Effect.map(Schema.decodeUnknown(Schema.Array(SlaveWithCounts))(rows), (list) =>
        list.map(({ available, inUse, offline, ...slave }) => ({ slave: new Slave(slave), devices: Counts.make({ available, inUse, offline }) }))
      )

    const findById = (id: SlaveId) => sql`select ${cols} from slaves where id = ${id}`.pipe(Effect.flatMap(one))

    const listWithCounts = (only: ReadonlyArray<SlaveId> | null) =>
      sql`
        select ${cols},
          (select count(*)::int from devices d where d.slave_id = s.id and d.state = 'available') as available,
          (select count(*)::int from devices d where d.slave_id = s.id and d.state = 'in_use') as in_use,
          (select count(*)::int from devices d where d.slave_id = s.id and d.state = 'offline') as offline
        from slaves s where ${only === null ? sql`true` : sql`s.id = any(${only})`}
        order by s.name`.pipe(Effect.flatMap(withCounts))

    const credentialOf = (id: SlaveId) =>
      sql<SlaveCredentialRow>`select id, name, status, credential_hash from slaves where id = ${id}`.pipe(
        Effect.map((rows) => Option.fromNullable(rows[0]))
      )

    const findByFingerprint = (fingerprint: string) =>
      sql<{ id: SlaveId; status: SlaveStatus; name: string }>`
        select id, status, name from slaves where machine_fingerprint = ${fingerprint}`.pipe(
        Effect.map((rows) => Option.fromNullable(rows[0]))
      )

    const nameTaken = (name: string, except: SlaveId | null) =>
      sql<{ n: number }>`select count(*)::int as n from slaves where lower(name) = lower(${name})
        and (${except}::uuid is null or id <> ${except}::uuid)`.pipe(Effect.map((rows) => (rows[0]?.n ?? 0) > 0))

    const insert = (input: {
      readonly id: SlaveId
      readonly name: string
      readonly host: string
      readonly vhPort: number
      readonly fingerprint: string
      readonly agentVersion: string
      readonly labels: Readonly<Record<string, string>>
      readonly credentialHash: string
    }) =>
      sql`insert into slaves (id, name, host, vh_port, machine_fingerprint, agent_version, labels, credential_hash, credential_issued_at)
          values (${input.id}, ${input.name}, ${input.host}, ${input.vhPort}, ${input.fingerprint}, ${input.agentVersion},
                  ${JSON.stringify(input.labels)}::jsonb, ${input.credentialHash}, now())
          returning ${cols}`.pipe(Effect.flatMap(one), Effect.map(Option.getOrThrow))

    /** Re-enrollment: same id, new credential; the sequence restarts with the agent's. */
    const reenroll = (id: SlaveId, input: { host: string; vhPort: number; agentVersion: string; credentialHash: string }) =>
      sql`update slaves set host = ${input.host}, vh_port = ${input.vhPort}, agent_version = ${input.agentVersion},
            credential_hash = ${input.credentialHash}, credential_issued_at = now(), last_report_seq = 0,
            inventory_hash = null, updated_at = now()
          where id = ${id} returning ${cols}`.pipe(Effect.flatMap(one), Effect.map(Option.getOrThrow))

    /** Serialises every inventory change of one slave across masters. */
    const lockForReport = (id: SlaveId) =>
      sql<SlaveLock>`select status, last_report_seq, inventory_hash, access_mode, degraded from slaves where id = ${id} for update`.pipe(
        Effect.map((rows) => Option.fromNullable(rows[0]))
      )

    /** What a slave's actor starts from: the last sequence taken and the inventory hash stored. */
    const reportStateOf = (id: SlaveId) =>
      sql<{ lastReportSeq: number; inventoryHash: string | null }>`select last_report_seq, inventory_hash from slaves where id = ${id}`.pipe(
        Effect.map((rows) => Option.fromNullable(rows[0]))
      )

    const recordReport = (id: SlaveId, state: ReportedSlaveState) =>
      sql`update slaves set status = 'online', last_seen_at = now(), last_report_seq = ${state.seq},
            inventory_hash = ${state.hash}, agent_version = ${state.agentVersion}, access_mode = ${state.accessMode},
            degraded = ${state.degraded}, vh_server_name = ${state.vhServerName}, vh_server_version = ${state.vhServerVersion},
            vh_licensed = ${state.vhLicensed}, vh_max_devices = ${state.vhMaxDevices}, updated_at = now()
          where id = ${id} returning ${cols}`.pipe(Effect.flatMap(one), Effect.map(Option.getOrThrow))

    /**
     * Many heartbeats in one statement. A heartbeat only counts for a slave that is online with the
     * inventory the reporting actor believed it had; the ids it did not update need a full report.
     */
    const heartbeats = (rows: ReadonlyArray<HeartbeatRow>) =>
      rows.length === 0
        ? Effect.succeed(new Set<string>())
        : sql<{ id: string }>`
            update slaves s set last_seen_at = greatest(s.last_seen_at, v.at),
              last_report_seq = greatest(s.last_report_seq, v.seq)
            from (select unnest(${rows.map((r) => r.slaveId)}::uuid[]) as id, unnest(${rows.map((r) => r.seq)}::bigint[]) as seq,
                         unnest(${rows.map((r) => r.at)}::timestamptz[]) as at, unnest(${rows.map((r) => r.hash)}::text[]) as hash) v
            where s.id = v.id and s.status = 'online' and s.inventory_hash = v.hash
            returning s.id`.pipe(Effect.map((updated) => new Set(updated.map((row) => row.id))))

    /** Online slaves silent for longer than `silentSeconds`, marked offline; returns them. */
    /** `heard`: slaves the caller has a report of that is not written yet; they are not silent. */
    const markSilentOffline = (silentSeconds: number, heard: ReadonlyArray<SlaveId>) =>
      sql`update slaves set status = 'offline', updated_at = now()
          where status = 'online' and last_seen_at < now() - ${silentSeconds} * interval '1 second'
            and not (id = any(${heard}::uuid[]))
          returning ${cols}`.pipe(Effect.flatMap(decodeRows))

    const update = (id: SlaveId, changes: { readonly name?: string | undefined; readonly labels?: Readonly<Record<string, string>> | undefined }) => {
      const values: Record<string, unknown> = {}
      if (changes.name !== undefined) values["name"] = changes.name
      if (changes.labels !== undefined) values["labels"] = JSON.stringify(changes.labels)
      return Object.keys(values).length === 0
        ? findById(id)
        : sql`update slaves set ${sql.update({ ...values, updatedAt: new Date() })} where id = ${id} returning ${cols}`.pipe(Effect.flatMap(one))
    }

    const setDecommissioned = (id: SlaveId, decommissioned: boolean) =>
      decommissioned
        ? sql`update slaves set status = 'decommissioned', decommissioned_at = now(), inventory_hash = null, updated_at = now()
              where id = ${id} returning ${cols}`.pipe(Effect.flatMap(one))
        : sql`update slaves set status = 'offline', decommissioned_at = null, inventory_hash = null, updated_at = now()
              where id = ${id} and status = 'decommissioned' returning ${cols}`.pipe(Effect.flatMap(one))

    const remove = (id: SlaveId) => sql`delete from slaves where id = ${id}`.pipe(Effect.asVoid)

    /** What every active slave's actor starts from, in one query (not one per slave at its first report). */
    const activeReportStates = sql<{ id: SlaveId; lastReportSeq: number; inventoryHash: string | null }>`
      select id, last_report_seq, inventory_hash from slaves where status <> 'decommissioned'`.pipe(
      Effect.map((rows) => rows.map((row) => ({ ...row, lastReportSeq: Number(row.lastReportSeq) })))
    )

    /** Every slave's credential row, for a master to hold before the fleet's first reports arrive. */
    const allCredentials = sql<SlaveCredentialRow>`select id, name, status, credential_hash from slaves`

    const countByStatus = sql<{ status: SlaveStatus; n: number }>`select status, count(*)::int as n from slaves group by status`

    return {
      findById: (id: SlaveId) => findById(id).pipe(Effect.orDie),
      listWithCounts: (only: ReadonlyArray<SlaveId> | null) => listWithCounts(only).pipe(Effect.orDie),
      credentialOf: (id: SlaveId) => credentialOf(id).pipe(Effect.orDie),
      findByFingerprint: (fingerprint: string) => findByFingerprint(fingerprint).pipe(Effect.orDie),
      nameTaken: (name: string, except: SlaveId | null) => nameTaken(name, except).pipe(Effect.orDie),
      insert: (input: Parameters<typeof insert>[0]) => insert(input).pipe(Effect.orDie),
      reenroll: (id: SlaveId, input: Parameters<typeof reenroll>[1]) => reenroll(id, input).pipe(Effect.orDie),
      lockForReport: (id: SlaveId) => lockForReport(id).pipe(Effect.orDie),
      reportStateOf: (id: SlaveId) => reportStateOf(id).pipe(Effect.orDie),
      recordReport: (id: SlaveId, state: ReportedSlaveState) => recordReport(id, state).pipe(Effect.orDie),
      heartbeats: (rows: ReadonlyArray<HeartbeatRow>) => heartbeats(rows).pipe(Effect.orDie, Effect.withSpan("SlavesRepo.heartbeats")),
      markSilentOffline: (silentSeconds: number, heard: ReadonlyArray<SlaveId>) => markSilentOffline(silentSeconds, heard).pipe(Effect.orDie),
      update: (id: SlaveId, changes: Parameters<typeof update>[1]) => update(id, changes).pipe(Effect.orDie),
      setDecommissioned: (id: SlaveId, decommissioned: boolean) => setDecommissioned(id, decommissioned).pipe(Effect.orDie),
      remove: (id: SlaveId) => remove(id).pipe(Effect.orDie),
      activeReportStates: activeReportStates.pipe(Effect.orDie),
      allCredentials: allCredentials.pipe(Effect.orDie),
      countByStatus: countByStatus.pipe(Effect.orDie)
    }
  })
}) {}
