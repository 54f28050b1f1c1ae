import { HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { Duration, Effect, Random, Ref, Schedule } from "effect"
import { NcodApi } from "../api/NcodApi.js"
import type { ReportedDevice, SlaveReport } from "../api/SlaveAgentApi.js"
import { demoDevicesFor } from "../demo/DemoData.js"
import { tlsHttpClientLayer } from "./TlsHttpClient.js"

export interface SimulatedSlaveOptions {
  readonly baseUrl: string
  readonly ca: string | undefined
  readonly enrollmentToken: string
  readonly name: string
  /** Picks the demo devices (deterministic per index). */
  readonly index: number
  readonly deviceCount: number
  /** Chance per report that a device is unplugged or plugged back (0 for a steady fleet). */
  readonly churn: number
}

const toReported = (name: string, index: number, count: number): ReadonlyArray<ReportedDevice> =>
  demoDevicesFor(index, count).map((device, n) => ({
    vhAddress: `${name}.${n + 1}`,
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

/**
 * A slave without VirtualHere: enrolls with a real token and reports demo devices through the real
 * API at the interval the master asks for, unplugging and re-plugging now and then. Used by the
 * demo fleet of `npm start` and by the benches; the real agent lives in slave/.
 */
export const runSimulatedSlave = (options: SimulatedSlaveOptions) =>
  Effect.gen(function* () {
    const anonymous = yield* HttpApiClient.make(NcodApi, { baseUrl: options.baseUrl })
    const enrollment = yield* anonymous.slaveAgent
      .enroll({
        payload: {
          token: options.enrollmentToken,
          name: options.name,
          host: `${options.name}.local`,
          vhPort: 7575,
          fingerprint: `simulated-${options.name}`,
          agentVersion: "simulated",
          labels: { simulated: "true" }
        }
      })
      .pipe(Effect.retry(Schedule.exponential(Duration.millis(200)).pipe(Schedule.upTo(Duration.seconds(30)))))
    const agent = yield* HttpApiClient.make(NcodApi, {
      baseUrl: options.baseUrl,
      transformClient: HttpClient.mapRequest(HttpClientRequest.bearerToken(enrollment.credential))
    })
    const all = toReported(options.name, options.index, options.deviceCount)
    const plugged = yield* Ref.make(new Set(all.map((device) => device.vhAddress)))
    let seq = Date.now()

    const reportOnce = Effect.gen(function* () {
      if (options.churn > 0 && (yield* Random.next) < options.churn && all.length > 0) {
        const victim = all[yield* Random.nextIntBetween(0, all.length)]!.vhAddress
        yield* Ref.update(plugged, (set) => {
          const next = new Set(set)
          if (next.has(victim)) next.delete(victim)
          else next.add(victim)
          return next
        })
      }
      const present = yield* Ref.get(plugged)
      const report: SlaveReport = {
        seq: ++seq,
        agentVersion: "simulated",
        accessMode: "advisory",
        degraded: false,
        server: { name: options.name, version: "simulated", licensed: false, maxDevices: 1 },
        devices: all.filter((device) => present.has(device.vhAddress))
      }
      const ack = yield* agent.slaveAgent.report({ path: { id: enrollment.slaveId }, payload: report })
      return ack.nextReportInSeconds
    })

    yield* Effect.iterate(0, {
      while: () => true,
      body: (wait) =>
        Effect.sleep(Duration.seconds(wait)).pipe(
          Effect.zipRight(reportOnce),
          // the master away: try again in a few seconds, quietly
          Effect.catchAll(() => Effect.succeed(5))
        )
    })
  }).pipe(Effect.provide(tlsHttpClientLayer(options.ca)))
