import { HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { demoDevicesFor, NcodApi, type ReportedDevice, type SlaveReport } from "@ncod/core"
import { Effect } from "effect"
import { TestMaster } from "./TestMaster.js"

/** The typed client, optionally carrying a bearer token (a user's access token or a slave credential). */
export const apiClient = (token?: string) =>
  Effect.gen(function* () {
    const master = yield* TestMaster
    return yield* HttpApiClient.make(NcodApi, {
      baseUrl: master.url,
      ...(token ? { transformClient: HttpClient.mapRequest(HttpClientRequest.bearerToken(token)) } : {})
    })
  })

/** The test master's admin, signed in to the admin app. */
export const adminApi = Effect.gen(function* () {
  const master = yield* TestMaster
  const anonymous = yield* apiClient()
  const tokens = yield* anonymous.auth.login({ payload: { username: master.admin.username, password: master.admin.password, audience: "admin" } })
  return yield* apiClient(tokens.accessToken)
})

/** Enrolls a slave with a fresh admin-issued token, as the agent would. */
export const enrollSlave = (name: string, fingerprint = `fp-${name}-0000`) =>
  Effect.gen(function* () {
    const admin = yield* adminApi
    const issued = yield* admin.adminFleet.createEnrollmentToken({ payload: { label: `for ${name}`, maxUses: 1, expiresInHours: 1 } })
    const anonymous = yield* apiClient()
    const enrollment = yield* anonymous.slaveAgent.enroll({
      payload: { token: issued.token, name, host: `${name}.lab.example`, vhPort: 7575, fingerprint, agentVersion: "test", labels: {} }
    })
    return { ...enrollment, client: yield* apiClient(enrollment.credential) }
  })

/** The devices of demo slave `index` as the agent would report them. */
export const demoReported = (index: number, count: number, serverName: string): ReadonlyArray<ReportedDevice> =>
  demoDevicesFor(index, count).map((device, n) => ({
    vhAddress: `${serverName}.${n + 1}`,
    vendorId: device.vendorId,
    productId: device.productId,
    manufacturer: device.manufacturer,
    product: device.product,
    serial: device.serial,
    busPath: device.busPath,
    speed: device.speed,
    deviceClass: device.deviceClass,
    nickname: null,
    boundClient: null
  }))

export const makeReport = (seq: number, serverName: string, devices: ReadonlyArray<ReportedDevice>): SlaveReport => ({
  seq,
  agentVersion: "test",
  accessMode: "enforced",
  degraded: false,
  server: { name: serverName, version: "4.6.1", licensed: true, maxDevices: null },
  devices
})
