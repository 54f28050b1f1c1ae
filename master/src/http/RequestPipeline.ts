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

/** The inner cause of a request-body error, whether it arrived as a failure or as a defect. */
const requestErrorCause = (cause: Cause.Cause<unknown>) =>
  Option.fromNullable(
    [...Cause.failures(cause), ...Cause.defects(cause)].find(
      (error) => HttpServerError.isServerError(error) && error._tag === "RequestError"
    )
  ).pipe(Option.map((error) => (error as { cause?: unknown }).cause))

const isBodyTooLarge = (cause: Cause.Cause<unknown>) =>
  requestErrorCause(cause).pipe(Option.exists((inner) => String((inner as Error | undefined)?.message).includes("maxBytes")))

/** The body could not be parsed as JSON: the caller's mistake, not ours. */
const isMalformedBody = (cause: Cause.Cause<unknown>) => requestErrorCause(cause).pipe(Option.exists((inner) => inner instanceof SyntaxError))

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
    if (isMalformedBody(cause)) {
      return errorResponse(400, { _tag: "ValidationFailed", code: "VALIDATION_FAILED", issues: [{ path: [], message: "the body is not valid JSON" }] }, "en")
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
        // A body must declare its length. Reading an undeclared (chunked) body up to the limit and
        // then refusing it would destroy the socket before any answer could be sent.
        const undeclaredBody = request.headers["transfer-encoding"] !== undefined && request.headers["content-length"] === undefined

        const response: HttpServerResponse.HttpServerResponse = undeclaredBody
          ? errorResponse(411, { _tag: "LengthRequired", code: "LENGTH_REQUIRED" }, locale)
          : declaredLength > options.maxBodyBytes
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
