/**
 * The bench's side door to PostgreSQL: a throwaway database per run on the server of DATABASE_URL,
 * and the statistics views that say how many rows a report wrote and what the backends waited on.
 */
import pg from "pg"

export const withDatabase = (serverUrl: string, database: string) => {
  const url = new URL(serverUrl)
  url.pathname = `/${database}`
  return url.toString()
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`

export const connect = async (url: string) => {
  const client = new pg.Client({ connectionString: url, application_name: "ncod-bench" })
  // the database is dropped with (force) at the end: a terminated connection is expected then
  client.on("error", () => undefined)
  await client.connect()
  return client
}

/** Creates `name` on the server of `serverUrl`; returns its URL. */
export const createDatabase = async (serverUrl: string, name: string) => {
  const admin = await connect(withDatabase(serverUrl, "postgres"))
  try {
    await admin.query(`create database ${quoteIdent(name)}`)
  } finally {
    await admin.end()
  }
  return withDatabase(serverUrl, name)
}

export const dropDatabase = async (serverUrl: string, name: string) => {
  const admin = await connect(withDatabase(serverUrl, "postgres"))
  try {
    await admin.query(`drop database if exists ${quoteIdent(name)} with (force)`)
  } finally {
    await admin.end()
  }
}

export interface TableWrites {
  readonly inserted: number
  readonly updated: number
  readonly hotUpdated: number
  readonly deleted: number
}

export interface DbCounters {
  readonly tables: Readonly<Record<string, TableWrites>>
  readonly commits: number
  readonly rollbacks: number
}

/** Cumulative row writes per table and transactions of this database. */
export const counters = async (client: pg.Client): Promise<DbCounters> => {
  const tables = await client.query<{ relname: string; ins: string; upd: string; hot: string; del: string }>(
    `select relname, n_tup_ins as ins, n_tup_upd as upd, n_tup_hot_upd as hot, n_tup_del as del from pg_stat_user_tables`
  )
  const db = await client.query<{ commits: string; rollbacks: string }>(
    `select xact_commit as commits, xact_rollback as rollbacks from pg_stat_database where datname = current_database()`
  )
  const out: Record<string, TableWrites> = {}
  for (const row of tables.rows) {
    out[row.relname] = { inserted: Number(row.ins), updated: Number(row.upd), hotUpdated: Number(row.hot), deleted: Number(row.del) }
  }
  return { tables: out, commits: Number(db.rows[0]?.commits ?? 0), rollbacks: Number(db.rows[0]?.rollbacks ?? 0) }
}

export interface WritesDelta {
  /** Rows inserted + updated + deleted per table over the window. */
  readonly rowsByTable: Readonly<Record<string, number>>
  readonly rows: number
  readonly commits: number
}

export const delta = (before: DbCounters, after: DbCounters): WritesDelta => {
  const rowsByTable: Record<string, number> = {}
  let rows = 0
  for (const [table, a] of Object.entries(after.tables)) {
    const b = before.tables[table] ?? { inserted: 0, updated: 0, hotUpdated: 0, deleted: 0 }
    const n = a.inserted - b.inserted + (a.updated - b.updated) + (a.deleted - b.deleted)
    if (n !== 0) rowsByTable[table] = n
    rows += n
  }
  return { rowsByTable, rows, commits: after.commits - before.commits }
}

/** Backend processes serving this database (the master's pool), for CPU sampling. */
export const backendPids = async (client: pg.Client) => {
  const result = await client.query<{ pid: number }>(
    `select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`
  )
  return result.rows.map((row) => row.pid)
}

/** What the master's connections are doing right now: state, wait event and (when in a transaction) the statement, counted. */
export const activity = async (client: pg.Client) => {
  const result = await client.query<{ what: string; n: number }>(
    `select coalesce(state, '?') || coalesce(':' || wait_event_type || '/' || wait_event, '') ||
            case when state in ('active', 'idle in transaction') then ' ' || regexp_replace(left(query, 60), '\\s+', ' ', 'g') else '' end as what,
            count(*)::int as n
       from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() group by 1`
  )
  return Object.fromEntries(result.rows.map((row) => [row.what, row.n]))
}

/** Lock waits right now: which statement waits for which (first words of each), counted. */
export const blockers = async (client: pg.Client) => {
  const result = await client.query<{ what: string; n: number }>(
    `select regexp_replace(left(w.query, 70), '\\s+', ' ', 'g') || '  ⟵ waits for ⟵  ' ||
            regexp_replace(left(coalesce(b.query, '?'), 70), '\\s+', ' ', 'g') || ' [' || coalesce(b.state, '?') || ']' as what,
            count(*)::int as n
       from pg_stat_activity w
       cross join lateral unnest(pg_blocking_pids(w.pid)) as bp(pid)
       left join pg_stat_activity b on b.pid = bp.pid
      where w.datname = current_database() and w.wait_event_type = 'Lock'
      group by 1`
  )
  return Object.fromEntries(result.rows.map((row) => [row.what, row.n]))
}

/** Samples `activity` (and lock waits) every `ms` and adds up what it saw (a poor man's wait-event profile). */
export class ActivitySampler {
  private readonly seen: Record<string, number> = {}
  private readonly locks: Record<string, number> = {}
  private samples = 0
  private timer: NodeJS.Timeout | undefined
  private busy = false

  constructor(private readonly client: pg.Client, private readonly ms = 200) {}

  start() {
    this.timer = setInterval(() => {
      if (this.busy) return
      this.busy = true
      Promise.all([activity(this.client), blockers(this.client)])
        .then(([now, waits]) => {
          this.samples++
          for (const [what, n] of Object.entries(now)) this.seen[what] = (this.seen[what] ?? 0) + n
          for (const [what, n] of Object.entries(waits)) this.locks[what] = (this.locks[what] ?? 0) + n
        })
        .catch(() => undefined)
        .finally(() => (this.busy = false))
    }, this.ms)
    this.timer.unref()
  }

  /** Average number of connections in each state (and in each lock wait) over the samples taken; closes the sampler's connection. */
  async stop(): Promise<{ states: Record<string, number>; lockWaits: Record<string, number> }> {
    if (this.timer) clearInterval(this.timer)
    await this.client.end().catch(() => undefined)
    const average = (record: Record<string, number>) => {
      const out: Record<string, number> = {}
      for (const [what, n] of Object.entries(record).sort((a, b) => b[1] - a[1]).slice(0, 15)) {
        out[what] = Math.round((n / Math.max(1, this.samples)) * 100) / 100
      }
      return out
    }
    return { states: average(this.seen), lockWaits: average(this.locks) }
  }
}

export const serverVersion = async (client: pg.Client) =>
  (await client.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]?.v ?? "?"
