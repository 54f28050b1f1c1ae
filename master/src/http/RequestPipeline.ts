import {
  HttpIncomingMessage,
  HttpLayerRouter,
  HttpServerError,
  HttpServerRequest,
  HttpServerResponse
} from "@effect/platform"
import { localeFromAcceptLanguage } from "@ncod/core"
import { Cause, Effect, Option } from "effect"
import { errorResponse, localizeErrorBody } from "./ErrorBodies.js"
import { pickRequestId } from "./RequestId.js"
import { withSecurityHeaders } from "./SecurityHeaders.js"

export interface PipelineOptions {
  readonly tls: boolean
  readonly maxBodyBytes: number
  /** Called once per request with the route template, for the duration histogram. */
  readonly observe: (route: string, method: string, status: number, seconds: number) => void
}

const uuidSegment = /\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?=\/|$)/gi

/**
 * The route a path belongs to, with ids replaced, so the histogram has one series per route. A path
 * that matched no route is "unmatched": scanners must not create series.
 */
export const routeTemplate = (path: string, status: number) => {
  if (status === 404 && !uuidSegment.test(path)) return "unmatched"
  uuidSegment.lastIndex = 0
  if (path.startsWith("/assets/") || path.startsWith("/admin/assets/")) return "static"
  return path.replace(uuidSegment, "/:id")
}

const isBodyTooLarge = (cause: Cause.Cause<unknown>) =>
  Cause.failureOption(cause).pipe(
    Option.exists(
      (error) =>
        HttpServerError.isServerError(error) &&
        error._tag === "RequestError" &&
        String((error.cause as Error | undefined)?.message).includes("maxBytes")
    )
  )

/**
 * Turns whatever escaped the routes into our error envelope: unknown route → 404, body over the
 * limit → 413, anything else → 500 with the request id. The cause goes to the log, never to the
 * caller.
 */
const recover = (cause: Cause.Cause<unknown>, requestId: string, limitBytes: number) =>
  Effect.gen(function* () {
    const failure = Cause.failureOption(cause)
    if (Option.exists(failure, (error) => HttpServerError.isServerError(error) && error._tag === "RouteNotFound")) {
      return errorResponse(404, { _tag: "NotFound", code: "NOT_FOUND", resource: "route" }, "en")
    }
    if (isBodyTooLarge(cause)) {
      return errorResponse(413, { _tag: "PayloadTooLarge", code: "PAYLOAD_TOO_LARGE", limitBytes }, "en")
    }
    yield* Effect.logError("request failed", cause)
    return errorResponse(500, { _tag: "InternalError", code: "INTERNAL", requestId }, "en")
  })

/**
 * The one global middleware every request passes: request id, body size limit, error envelope in
 * the caller's language, security headers, and an access log line (debug for success, so a fleet's
 * reports do not flood the log; warning for server errors).
 */
export const requestPipeline = (options: PipelineOptions) =>
  HttpLayerRouter.middleware(
    (app) =>
      Effect.gen(function* () {
        const request = yield* HttpServerRequest.HttpServerRequest
        const requestId = pickRequestId(request.headers["x-request-id"])
        const locale = localeFromAcceptLanguage(request.headers["accept-language"])
        const started = performance.now()
        const declaredLength = Number(request.headers["content-length"] ?? "0")

        const response: HttpServerResponse.HttpServerResponse =
          declaredLength > options.maxBodyBytes
            ? errorResponse(413, { _tag: "PayloadTooLarge", code: "PAYLOAD_TOO_LARGE", limitBytes: options.maxBodyBytes }, locale)
            : yield* app.pipe(
                HttpIncomingMessage.withMaxBodySize(Option.some(options.maxBodyBytes)),
                Effect.catchAllCause((cause) =>
                  Cause.isInterruptedOnly(cause) ? Effect.failCause(cause) : recover(cause, requestId, options.maxBodyBytes)
                ),
                Effect.annotateLogs("requestId", requestId)
              )

        const finished = HttpServerResponse.setHeader(
          withSecurityHeaders(localizeErrorBody(response, locale), options.tls),
          "x-request-id",
          requestId
        )
        const elapsedMs = Math.round((performance.now() - started) * 10) / 10
        const path = request.url.split("?")[0] ?? "/"
        options.observe(routeTemplate(path, response.status), request.method, response.status, elapsedMs / 1000)
        yield* Effect.annotateLogs(
          response.status >= 500 ? Effect.logWarning("http request") : Effect.logDebug("http request"),
          { requestId, method: request.method, path, status: response.status, elapsedMs }
        )
        return finished
        // Every failure is handled above; the cast restores the `unhandled` marker the router's
        // typing demands of a global middleware that lets nothing through.
      }) as Effect.Effect<HttpServerResponse.HttpServerResponse, HttpLayerRouter.unhandled, HttpServerRequest.HttpServerRequest>,
    { global: true }
  )
