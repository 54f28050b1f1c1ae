/**
 * The test's side door to the master: the typed client derived from the contract (the same one the
 * apps use), over TLS pinned to the test CA. Seeds the org tree and grants, and plays a slave.
 */
import { HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { NcodApi, type OrgUnitId, type ReportedDevice, type SlaveId, demoDevicesFor } from "@ncod/core"
import { tlsHttpClientLayer } from "@ncod/core/node"
import { Effect } from "effect"
import type { RunningMaster } from "./harness.js"

const run = <A, E>(master: RunningMaster, effect: Effect.Effect<A, E, HttpClient.HttpClient>) =>
  Effect.runPromise(effect.pipe(Effect.provide(tlsHttpClientLayer(master.ca))))

const client = (master: RunningMaster, token?: string) =>
  HttpApiClient.make(NcodApi, {
    baseUrl: master.url,
    ...(token ? { transformClient: HttpClient.mapRequest(HttpClientRequest.bearerToken(token)) } : {})
  })

export const adminToken = (master: RunningMaster) =>
  run(
    master,
    Effect.flatMap(client(master), (c) =>
      c.auth.login({ payload: { username: master.admin.username, password: master.admin.password, audience: "admin" } })
    ).pipe(Effect.map((tokens) => tokens.accessToken))
  )

/** Runs calls as the admin (a fresh token each time: the tests are short). */
export const asAdmin = async <A, E>(master: RunningMaster, f: (c: Effect.Effect.Success<ReturnType<typeof client>>) => Effect.Effect<A, E>) => {
  const token = await adminToken(master)
  return run(master, Effect.flatMap(client(master, token), f))
}

export const anonymous = <A, E>(master: RunningMaster, f: (c: Effect.Effect.Success<ReturnType<typeof client>>) => Effect.Effect<A, E>) =>
  run(master, Effect.flatMap(client(master), f))

export interface SeededOrg {
  readonly organization: { readonly id: OrgUnitId; readonly name: string }
  readonly company: { readonly id: OrgUnitId; readonly name: string }
  readonly department: { readonly id: OrgUnitId; readonly name: string }
}

/** organization → company → project department, with the given names. */
export const seedOrg = (master: RunningMaster, names: readonly [string, string, string] = ["华信集团", "华信科技有限公司", "固件开发部"]) =>
  asAdmin(master, (c) =>
    Effect.gen(function* () {
      const organization = yield* c.adminOrgUnits.create({ payload: { kind: "organization", parentId: null, name: names[0], nameEn: null } })
      const company = yield* c.adminOrgUnits.create({ payload: { kind: "company", parentId: organization.id, name: names[1], nameEn: null } })
      const department = yield* c.adminOrgUnits.create({ payload: { kind: "project_department", parentId: company.id, name: names[2], nameEn: null } })
      return { organization, company, department } satisfies SeededOrg
    })
  )

/** Lets every member of `orgUnitId` use every device of `slaveId`. */
export const grantSlave = (master: RunningMaster, slaveId: SlaveId, orgUnitId: OrgUnitId) =>
  asAdmin(master, (c) => c.adminFleet.createGrant({ payload: { target: { _tag: "slave", slaveId }, subject: { _tag: "orgUnit", orgUnitId } } }))

export const demoDevices = (name: string, index: number, count: number): ReadonlyArray<ReportedDevice> =>
  demoDevicesFor(index, count).map((device, n) => ({
    vhAddress: `${name}.${n + 1}`,
    vendorId: device.vendorId,
    productId: device.productId,
    manufacturer: device.manufacturer,
    product: device.product,
    serial: device.serial,
    busPath: `1-1.${n + 1}`,
    speed: device.speed,
    deviceClass: device.deviceClass,
    nickname: null,
    boundClient: null
  }))

/** Enrolls a slave with an enrollment token and sends one report (the `SlaveReport` shape). */
export const simulatedSlave = async (master: RunningMaster, token: string, name: string, devices: ReadonlyArray<ReportedDevice>) => {
  const enrollment = await anonymous(master, (c) =>
    c.slaveAgent.enroll({
      payload: { token, name, host: `${name.replace(/[^a-z0-9-]/gi, "x").slice(0, 40)}.local`, vhPort: 7575, fingerprint: `e2e-${crypto.randomUUID()}`, agentVersion: "e2e", labels: {} }
    })
  )
  let seq = 0
  const report = (list: ReadonlyArray<ReportedDevice>) =>
    run(
      master,
      Effect.flatMap(client(master, enrollment.credential), (c) =>
        c.slaveAgent.report({
          path: { id: enrollment.slaveId },
          payload: {
            seq: ++seq,
            agentVersion: "e2e",
            accessMode: "advisory",
            degraded: false,
            server: { name: `vh-${enrollment.slaveId.slice(0, 8)}`, version: "4.6.0", licensed: false, maxDevices: 1 },
            devices: list
          }
        })
      )
    )
  let current = devices
  await report(current)
  // the master marks a slave offline after a few silent intervals: keep reporting like an agent
  const timer = setInterval(() => void report(current).catch(() => undefined), 1_500)
  return {
    slaveId: enrollment.slaveId,
    setDevices: async (next: ReadonlyArray<ReportedDevice>) => {
      current = next
      await report(current)
    },
    stop: () => clearInterval(timer)
  }
}
