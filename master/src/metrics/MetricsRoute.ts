import { HttpLayerRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Option, Redacted } from "effect"
import { timingSafeEqual } from "node:crypto"
import { Metrics } from "./Metrics.js"

const sameText = (a: string, b: string) => {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

/** `GET /metrics` in the Prometheus text format; behind a bearer token when one is configured. */
export const metricsRoute = (token: Option.Option<Redacted.Redacted<string>>) =>
  HttpLayerRouter.use((router) =>
    Effect.gen(function* () {
      const metrics = yield* Metrics
      yield* router.add(
        "GET",
        "/metrics",
        Effect.gen(function* () {
          if (Option.isSome(token)) {
            const request = yield* HttpServerRequest.HttpServerRequest
            const presented = request.headers["authorization"]?.replace(/^Bearer /i, "") ?? ""
            if (!sameText(presented, Redacted.value(token.value))) {
              return HttpServerResponse.unsafeJson({ _tag: "Unauthenticated", code: "UNAUTHENTICATED" }, { status: 401 })
            }
          }
          return yield* Effect.tryPromise(() => metrics.exposition()).pipe(
            Effect.map((body) => HttpServerResponse.text(body, { contentType: metrics.registry.contentType })),
            Effect.catchAll((error) =>
              Effect.logWarning("metrics unavailable").pipe(
                Effect.annotateLogs({ reason: String(error.error instanceof Error ? error.error.message : error.error) }),
                Effect.as(
                  HttpServerResponse.unsafeJson(
                    { _tag: "MetricsUnavailable", code: "METRICS_UNAVAILABLE", message: "metrics could not be gathered just now; try again" },
                    { status: 503 }
                  )
                )
              )
            )
          )
        })
      )
    })
  )
