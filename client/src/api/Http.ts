import { HttpApiClient, HttpClient, HttpClientError, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { NcodApi } from "@ncod/core"
import { Duration, Effect, Layer } from "effect"
import { acceptLanguage, type Language } from "../config/ClientConfig.js"

/**
 * An HttpClient that trusts exactly the pinned certificate (the master's CA, or its own certificate
 * when trust-on-first-use could only see that one: `allowPartialTrustChain` lets a pinned leaf
 * anchor the chain), or the system store when nothing is pinned.
 */
export const httpClientLayer = (ca: string | undefined) =>
  NodeHttpClient.layerWithoutAgent.pipe(
    Layer.provide(NodeHttpClient.makeAgentLayer(ca === undefined ? { minVersion: "TLSv1.2" } : { ca, allowPartialTrustChain: true, minVersion: "TLSv1.2" }))
  )

/** No single request may hang the client: a black-holed master looks like an unreachable one. */
export const requestTimeout = Duration.seconds(20)

/** Accept-Language on every request (the master renders error messages in it) and a time limit. */
export const clientTransform = (language: Language, authorize?: (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<HttpClientRequest.HttpClientRequest>) =>
  (client: HttpClient.HttpClient): HttpClient.HttpClient =>
    client.pipe(
      HttpClient.mapRequest(HttpClientRequest.setHeader("accept-language", acceptLanguage(language))),
      HttpClient.mapRequestEffect((request) => (authorize ? authorize(request) : Effect.succeed(request))),
      HttpClient.transform((response, request) =>
        Effect.timeoutFail(response, {
          duration: requestTimeout,
          onTimeout: () => new HttpClientError.RequestError({ request, reason: "Transport", description: "no answer within 20 seconds" })
        })
      )
    )

export const makeApi = (baseUrl: string, language: Language, authorize?: (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<HttpClientRequest.HttpClientRequest>) =>
  HttpApiClient.make(NcodApi, { baseUrl, transformClient: clientTransform(language, authorize) })

export type Api = Effect.Effect.Success<ReturnType<typeof makeApi>>
