import { HttpApiSwagger, HttpLayerRouter, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { NcodApi } from "@ncod/core"
import { Effect, Layer } from "effect"
import * as http from "node:http"
import * as https from "node:https"
import { HealthHandlers } from "../health/HealthHandlers.js"
import { MetaHandlers } from "../meta/MetaHandlers.js"
import { requestPipeline } from "./RequestPipeline.js"
import type { TlsMaterial } from "./Tls.js"

export interface HttpOptions {
  readonly host: string
  readonly port: number
  /** `undefined` means plain HTTP, which only an explicit setting allows. */
  readonly tls: TlsMaterial | undefined
  readonly corsOrigins: ReadonlyArray<string>
  readonly maxBodyBytes: number
}

/** Every route on one port: the HttpApi (with /openapi.json), Swagger UI at /docs. */
export const Routes = Layer.mergeAll(
  HttpLayerRouter.addHttpApi(NcodApi, { openapiPath: "/openapi.json" }).pipe(
    Layer.provide([HealthHandlers, MetaHandlers])
  ),
  HttpApiSwagger.layerHttpLayerRouter({ api: NcodApi, path: "/docs" })
)

const nodeServer = (options: HttpOptions) => () => {
  const server = options.tls
    ? https.createServer({ cert: options.tls.cert, key: options.tls.key, minVersion: "TLSv1.2" })
    : http.createServer()
  // Keep-alive sockets would hold shutdown open until they time out: drop idle ones at close.
  server.on("close", () => server.closeIdleConnections())
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
  const withMiddleware = routes.pipe(
    Layer.provide(requestPipeline({ tls: options.tls !== undefined, maxBodyBytes: options.maxBodyBytes })),
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
    Layer.provideMerge(NodeHttpServer.layer(nodeServer(options), { host: options.host, port: options.port }))
  )
}

/** The address the server really listens on (the port may have been 0 in tests). */
export const listeningAddress = Effect.map(HttpServer.HttpServer, (server) =>
  server.address._tag === "TcpAddress" ? server.address : { hostname: "unix", port: 0 }
)
