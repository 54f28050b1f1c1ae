/**
 * Fleet and lease helpers for the security suites, over the same raw caller as the account ones
 * (every answer passes the fixtures' invariants): enrollment tokens, slaves that enroll and report,
 * grants, client-audience sessions, leases. Written from the contract in core/src/api.
 */
import { expect } from "@effect/vitest"
import type { ReportedDevice as CoreReportedDevice } from "@ncod/core"
import { Effect } from "effect"
import { randomBytes, randomUUID } from "node:crypto"
import {
  approvedMachine,
  approvedUser,
  asAdmin,
  call,
  clientLoginReply,
  createOrgUnit,
  type Env,
  type Json,
  obj,
  orgTree,
  type Reply,
  unique
} from "./fixtures.js"

/** The test master settings the fleet suites need: slaves never go offline during a file. */
export const fleetSettings = {
  NCOD_REPORT_INTERVAL_SECONDS: "3600",
  NCOD_ENROLLMENTS_PER_HOUR: "1000000"
} as const

// ---------------------------------------------------------------------------------------------
// Enrollment and reports.

export interface IssuedToken {
  readonly token: string
  readonly id: string
}

export const issueEnrollmentToken = (maxUses = 1, label = unique("token ")) =>
  Effect.gen(function* () {
    const reply = yield* asAdmin("POST", "/api/v1/admin/enrollment-tokens", { json: { label, maxUses, expiresInHours: 1 } })
    expect(reply.status, reply.text).toBe(201)
    const body = obj(reply)
    return { token: body["token"] as string, id: (body["enrollmentToken"] as Json)["id"] as string } satisfies IssuedToken
  })

/** A valid enrollment request for a new machine. */
export const enrollBody = (token: string, name = unique("slave-")) => ({
  token,
  name,
  host: `${name}.lab.example`,
  vhPort: 7575,
  fingerprint: `fp-${randomUUID()}`,
  agentVersion: "test-agent 1.0",
  labels: { rack: "A1" }
})

/** One device as the agent reports it: the contract's own type. */
export type ReportedDevice = CoreReportedDevice

/** `count` FTDI serial adapters as the agent reports them, each with its own serial number. */
export const sampleDevices = (serverName: string, count = 3): Array<ReportedDevice> =>
  Array.from({ length: count }, (_, n) => ({
    vhAddress: `${serverName}.${n + 1}`,
    vendorId: "0403",
    productId: "6001",
    manufacturer: "FTDI",
    product: "FT232R USB UART",
    serial: `A${randomBytes(4).toString("hex").toUpperCase()}`,
    busPath: `1-1.${n + 1}`,
    speed: "12",
    deviceClass: "00",
    nickname: null,
    boundClient: null
  }))

export const reportBody = (seq: number, serverName: string, devices: ReadonlyArray<ReportedDevice>) => ({
  seq,
  agentVersion: "test-agent 1.0",
  accessMode: "enforced",
  degraded: false,
  server: { name: serverName, version: "4.6.1", licensed: true, maxDevices: null },
  devices
})

export interface EnrolledSlave {
  readonly slaveId: string
  readonly credential: string
  readonly name: string
  readonly serverName: string
  readonly fingerprint: string
  /** The next report sequence number (every call takes a new one). */
  readonly nextSeq: () => number
  /** Sends a report with the next sequence number and returns the raw answer. */
  readonly report: (devices: ReadonlyArray<ReportedDevice>, options?: { readonly token?: string; readonly id?: string }) => Effect.Effect<Reply, never, Env>
}

/** Enrolls a new slave with a fresh single-use token, as the agent does. */
export const enrolledSlave = (name = unique("slave-")) =>
  Effect.gen(function* () {
    const issued = yield* issueEnrollmentToken()
    const body = enrollBody(issued.token, name)
    const reply = yield* call("POST", "/api/v1/slaves/enroll", { json: body })
    expect(reply.status, reply.text).toBe(200)
    const enrollment = obj(reply)
    let seq = 0
    const slaveId = enrollment["slaveId"] as string
    const credential = enrollment["credential"] as string
    const nextSeq = () => ++seq
    return {
      slaveId,
      credential,
      name,
      serverName: name,
      fingerprint: body.fingerprint,
      nextSeq,
      report: (devices, options = {}) =>
        call("POST", `/api/v1/slaves/${options.id ?? slaveId}/reports`, { token: options.token ?? credential, json: reportBody(nextSeq(), name, devices) })
    } satisfies EnrolledSlave
  })

export interface StoredDevice {
  readonly id: string
  readonly serial: string | null
  readonly product: string | null
  readonly vhAddress: string
  readonly nickname: string | null
  readonly tags: ReadonlyArray<string>
  readonly state: string
}

/** The devices of one slave as the admin sees them (removed ones included when asked). */
export const devicesOf = (slaveId: string, state?: string) =>
  Effect.gen(function* () {
    const reply = yield* asAdmin("GET", "/api/v1/devices", { query: { slaveId, limit: "500", ...(state ? { state } : {}) } })
    expect(reply.status, reply.text).toBe(200)
    return (obj(reply)["items"] as ReadonlyArray<{ device: StoredDevice }>).map((view) => view.device)
  })

/** A slave that enrolled and reported `count` devices; the devices with their ids. */
export const reportingSlave = (count = 3, name = unique("slave-")) =>
  Effect.gen(function* () {
    const slave = yield* enrolledSlave(name)
    const reported = sampleDevices(slave.serverName, count)
    const reply = yield* slave.report(reported)
    expect(reply.status, reply.text).toBe(200)
    const stored = yield* devicesOf(slave.slaveId)
    expect(stored.length).toBe(count)
    // in report order
    const devices = reported.map((device) => stored.find((d) => d.serial === device.serial)!)
    return { slave, reported, devices }
  })

// ---------------------------------------------------------------------------------------------
// Grants, people and leases.

export type GrantTarget = { readonly _tag: "device"; readonly deviceId: string } | { readonly _tag: "slave"; readonly slaveId: string }
export type GrantSubject = { readonly _tag: "user"; readonly userId: string } | { readonly _tag: "orgUnit"; readonly orgUnitId: string }

export const grant = (target: GrantTarget, subject: GrantSubject) =>
  Effect.gen(function* () {
    const reply = yield* asAdmin("POST", "/api/v1/admin/grants", { json: { target, subject } })
    expect(reply.status, reply.text).toBe(201)
    return obj(reply)["id"] as string
  })

/** A new project department in the shared org tree. */
export const newDepartment = Effect.gen(function* () {
  const tree = yield* orgTree
  return yield* createOrgUnit("project_department", tree.companyId)
})

/**
 * A slave with `count` devices whose every device is granted to a new department: members of
 * that department (see `member`) may see and lease them, nobody else.
 */
export const fleetWorld = (count = 3) =>
  Effect.gen(function* () {
    const departmentId = yield* newDepartment
    const { slave, reported, devices } = yield* reportingSlave(count)
    const grantId = yield* grant({ _tag: "slave", slaveId: slave.slaveId }, { _tag: "orgUnit", orgUnitId: departmentId })
    return { departmentId, slave, reported, devices, grantId }
  })

/** An approved user of the department, signed in to the portal. */
export const member = (departmentId: string) => approvedUser({ orgUnitId: departmentId })

/** An approved user of the department with an approved machine and a client-audience session. */
export const clientMember = (departmentId: string) =>
  Effect.gen(function* () {
    const account = yield* member(departmentId)
    const machine = yield* approvedMachine(account)
    const reply = yield* clientLoginReply({ username: account.username, password: account.password, macs: [machine.mac], key: machine.key })
    expect(reply.status, reply.text).toBe(200)
    return { ...account, machine, clientToken: obj(reply)["accessToken"] as string }
  })

export interface LeaseView {
  readonly lease: Json & { readonly id: string; readonly state: string; readonly clientIdentity: string | null; readonly expiresAt: string; readonly userId: string }
  readonly releaseRequest: { readonly message: string; readonly username: string } | null
}

export const leaseView = (reply: Reply, status = 200): LeaseView => {
  expect(reply.status, `${reply.method} ${reply.path}: ${reply.text.slice(0, 400)}`).toBe(status)
  return obj(reply) as unknown as LeaseView
}

/** Takes a lease on the device (201). */
export const takeLease = (token: string, deviceId: string, minutes?: number) =>
  Effect.map(call("POST", "/api/v1/leases", { token, json: { deviceId, ...(minutes === undefined ? {} : { minutes }) } }), (reply) => leaseView(reply, 201))

export const getLease = (token: string, leaseId: string) => Effect.map(call("GET", `/api/v1/leases/${leaseId}`, { token }), (reply) => leaseView(reply))
