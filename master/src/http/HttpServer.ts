import { HttpApiSwagger, HttpLayerRouter, HttpMiddleware, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { RpcSerialization, RpcServer } from "@effect/rpc"
import { EventsRpc, NcodApi, RPC_PATH, SLAVE_RPC_PATH, SlaveLinkRpc } from "@ncod/core"
import { Effect, Layer, type Option, type Redacted } from "effect"
import * as http from "node:http"
import * as https from "node:https"
import { AdminMachinesHandlers, AdminUsersHandlers } from "../accounts/AdminUsersHandlers.js"
import { MeHandlers, MyMachinesHandlers } from "../accounts/MeHandlers.js"
import { AdminAuditHandlers } from "../audit/AdminAuditHandlers.js"
import { AuthHandlers } from "../auth/AuthHandlers.js"
import { EventsRpcHandlers } from "../events/EventsRpcHandlers.js"
import { HealthHandlers } from "../health/HealthHandlers.js"
import { AdminLeasesHandlers, LeasesHandlers } from "../leases/LeasesHandlers.js"
import { SlaveLinkHandlers } from "../leases/SlaveLinkHandlers.js"
import { AdminFleetHandlers } from "../fleet/AdminFleetHandlers.js"
import { InventoryHandlers } from "../fleet/InventoryHandlers.js"
import { SlaveAgentHandlers } from "../fleet/SlaveAgentHandlers.js"
import { MetaHandlers } from "../meta/MetaHandlers.js"
import { Metrics } from "../metrics/Metrics.js"
import { metricsRoute } from "../metrics/MetricsRoute.js"
import { type StaticApp, staticAppsLayer } from "../static/StaticApps.js"
import { AdminOrgUnitsHandlers, OrgUnitsHandlers } from "../orgs/OrgUnitsHandlers.js"
import { requestPipeline } from "./RequestPipeline.js"
import type { TlsMaterial } from "./Tls.js"

export interface HttpOptions {
  readonly host: string
  readonly port: number
  /** `undefined` means plain HTTP, which only an explicit setting allows. */
  readonly tls: TlsMaterial | undefined
  readonly corsOrigins: ReadonlyArray<string>
  readonly maxBodyBytes: number
  readonly keepAliveSeconds: number
}

/** Every group of the contract, implemented. */
const ApiHandlers = Layer.mergeAll(
  HealthHandlers,
  MetaHandlers,
  AuthHandlers,
  MeHandlers,
  MyMachinesHandlers,
  OrgUnitsHandlers,
  AdminOrgUnitsHandlers,
  AdminUsersHandlers,
  AdminMachinesHandlers,
  AdminAuditHandlers,
  SlaveAgentHandlers,
  InventoryHandlers,
  AdminFleetHandlers,
  LeasesHandlers,
  AdminLeasesHandlers
)

/** Every route on one port: the HttpApi (with /openapi.json), Swagger UI at /docs, RPC at /rpc, /metrics. */
export const routes = (metricsToken: Option.Option<Redacted.Redacted<string>>, apps: ReadonlyArray<StaticApp>) => Layer.mergeAll(
  metricsRoute(metricsToken),
  staticAppsLayer(apps),
  HttpLayerRouter.addHttpApi(NcodApi, { openapiPath: "/openapi.json" }).pipe(Layer.provide(ApiHandlers)),
  HttpApiSwagger.layerHttpLayerRouter({ api: NcodApi, path: "/docs" }),
  RpcServer.layerHttpRouter({ group: EventsRpc, path: RPC_PATH, protocol: "websocket" }).pipe(
    Layer.provide(EventsRpcHandlers),
    Layer.provide(RpcSerialization.layerJson)
  ),
  RpcServer.layerHttpRouter({ group: SlaveLinkRpc, path: SLAVE_RPC_PATH, protocol: "websocket" }).pipe(
    Layer.provide(SlaveLinkHandlers),
    Layer.provide(RpcSerialization.layerJson)
  )
)

const nodeServer = (options: HttpOptions) => () => {
  const server = options.tls
    ? https.createServer({ cert: options.tls.cert, key: options.tls.key, minVersion: "TLSv1.2" })
    : http.createServer()
  // Keep-alive sockets would hold shutdown open until they time out: drop idle ones at close.
  server.on("close", () => server.closeIdleConnections())
  // The port opens a moment before the router attaches its request handler; a request arriving in
  // between would hang unanswered. Hold such requests and hand them to the handler once it is there.
  const early: Array<[http.IncomingMessage, http.ServerResponse]> = []
  const holdEarly = (request: http.IncomingMessage, response: http.ServerResponse) => void early.push([request, response])
  server.on("request", holdEarly)
  server.on("newListener", (event: string | symbol, listener: (...args: Array<unknown>) => void) => {
    if (event !== "request" || listener === holdEarly) return
    server.off("request", holdEarly)
    setImmediate(() => {
      for (const [request, response] of early.splice(0)) listener(request, response)
    })
  })
  // Node's default (5 s) closes a slave's connection between two reports, so every report paid a
  // TLS handshake, and pooled clients reopened connections in bursts whenever the master paused.
  // Node 20 times headers from a request's first byte, so an idle connection is not cut by it.
  server.keepAliveTimeout = options.keepAliveSeconds * 1000
  server.headersTimeout = 20_000
  server.requestTimeout = 60_000
  return server as http.Server
}

/**
 * The HTTP(S) server with the global pipeline and CORS. CORS takes a predicate on purpose: the
 * platform's list form answers `*` for an empty list and echoes a single entry to every origin.
 */
export const HttpServerLive = <E, R>(routes: Layer.Layer<never, E, R>, options: HttpOptions) => {
  const allowed = new Set(options.corsOrigins)
  const pipeline = Layer.unwrapEffect(
    Effect.map(Metrics, (metrics) =>
      requestPipeline({
        tls: options.tls !== undefined,
        maxBodyBytes: options.maxBodyBytes,
        observe: (route, method, status, seconds) => metrics.httpDuration.observe({ route, method, status: String(status) }, seconds)
      })
    )
  )
  const withMiddleware = routes.pipe(
    Layer.provide(pipeline),
    Layer.provide(
      HttpLayerRouter.cors({
        allowedOrigins: (origin) => allowed.has(origin),
        allowedHeaders: ["authorization", "content-type", "accept-language", "x-request-id"],
        exposedHeaders: ["x-request-id", "retry-after"],
        credentials: true,
        maxAge: 600
      })
    )
  )
  return HttpLayerRouter.serve(withMiddleware, { disableLogger: true, disableListenLog: true }).pipe(
    // no span exporter is configured: the platform's per-request span (URL parse, every header
    // copied into attributes) would be built and thrown away on every request
    HttpMiddleware.withTracerDisabledWhen(() => true),
    // Node's default accept backlog (511) overflows when hundreds of slaves connect at once: the
    // kernel then drops their SYNs and they wait 1, 3 or 7 s to retry. The kernel caps it at somaxconn.
    Layer.provideMerge(NodeHttpServer.layer(nodeServer(options), { host: options.host, port: options.port, backlog: LISTEN_BACKLOG }))
  )
}

const LISTEN_BACKLOG = 4096

/** The address the server really listens on (the port may have been 0 in tests). */
export const listeningAddress = Effect.map(HttpServer.HttpServer, (server) =>
  server.address._tag === "TcpAddress" ? server.address : { hostname: "unix", port: 0 }
)
