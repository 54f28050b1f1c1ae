/** Setting the stage through the real API: a fleet with devices, org units, users and grants. */
import { FleetPool } from "./fleet-pool.js"
import { mapLimit } from "./http.js"
import type { Master } from "./master.js"
import { say } from "./report.js"

/** Enrolls `slaves` simulated slaves and sends one report each (their devices are then in the inventory); returns their ids. */
export const seedFleet = async (master: Master, options: { slaves: number; devices: number; workers: number }) => {
  const admin = await master.adminToken()
  const runTag = Date.now().toString(36)
  const pool = await FleetPool.start({
    baseUrl: master.url,
    ca: master.ca,
    mode: "reuse",
    slaves: options.slaves,
    devices: options.devices,
    workers: options.workers,
    connections: 16,
    timeoutMs: 60_000,
    runTag
  })
  try {
    const perWorker = Math.ceil(options.slaves / options.workers)
    const tokens: Array<Array<string>> = []
    for (let w = 0; w < options.workers; w++) {
      const own: Array<string> = []
      for (let n = 0; n < Math.ceil(perWorker / 10_000); n++) {
        const issued = await master.api.ok<{ token: string }>("POST", "/api/v1/admin/enrollment-tokens", {
          token: admin,
          body: { label: `bench seed ${runTag} ${w} ${n}`, maxUses: 10_000, expiresInHours: 24 }
        })
        own.push(issued.token)
      }
      tokens.push(own)
    }
    say(`seeding ${options.slaves} slaves × ${options.devices} devices`)
    await pool.each((w) => ({ type: "enroll", tokens: tokens[w]!, perToken: 10_000, concurrency: 8 }))
    await pool.all({ type: "phase", phase: "seed", churn: 0 })
    await pool.all({ type: "reportOnce", indexes: null, concurrency: 8 })
    const replies = await pool.collect()
    const ids = replies.flatMap((r) => r.slaveIds.filter((id) => id !== ""))
    if (ids.length < options.slaves) throw new Error(`only ${ids.length} of ${options.slaves} slaves enrolled`)
    return ids
  } finally {
    await pool.close()
  }
}

/** organization → company → project department; returns the company and department ids. */
export const seedOrgUnits = async (master: Master) => {
  const admin = await master.adminToken()
  const create = (kind: string, parentId: string | null, name: string) =>
    master.api.ok<{ id: string }>("POST", "/api/v1/admin/org-units", { token: admin, body: { kind, parentId, name } })
  const org = await create("organization", null, `Bench Org ${Date.now().toString(36)}`)
  const company = await create("company", org.id, "Bench Company")
  const department = await create("project_department", company.id, "Bench Department")
  return { organizationId: org.id, companyId: company.id, departmentId: department.id }
}

export interface SeededUser {
  readonly id: string
  readonly username: string
  readonly password: string
}

/** Registers and approves `count` users in `orgUnitId` (bcrypt at the master's cost for each). */
export const seedUsers = async (master: Master, count: number, orgUnitId: string, prefix = "benchuser") => {
  const admin = await master.adminToken()
  const password = "bench password 1234"
  return mapLimit(Array.from({ length: count }, (_, i) => i), 4, async (i) => {
    const username = `${prefix}${i}`
    const user = await master.api.ok<{ id: string }>("POST", "/api/v1/auth/register", {
      body: { username, displayName: `Bench User ${i}`, email: `${username}@bench.example`, password, orgUnitId }
    })
    await master.api.ok("POST", `/api/v1/admin/users/${user.id}/approve`, { token: admin })
    return { id: user.id, username, password } satisfies SeededUser
  })
}

/** Grants each slave (all its devices) to the org unit. */
export const grantSlaves = async (master: Master, slaveIds: ReadonlyArray<string>, orgUnitId: string) => {
  const admin = await master.adminToken()
  await mapLimit(slaveIds, 8, (slaveId) =>
    master.api.ok("POST", "/api/v1/admin/grants", {
      token: admin,
      body: { target: { _tag: "slave", slaveId }, subject: { _tag: "orgUnit", orgUnitId } }
    })
  )
}

export const signIn = async (master: Master, username: string, password: string, audience: "portal" | "admin" = "portal") =>
  (await master.api.ok<{ accessToken: string }>("POST", "/api/v1/auth/login", { body: { username, password, audience } })).accessToken
