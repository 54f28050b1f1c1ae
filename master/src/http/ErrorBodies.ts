import { HttpServerResponse } from "@effect/platform"
import { type Locale, renderErrorMessage } from "@ncod/core"

const decoder = new TextDecoder()
const encoder = new TextEncoder()

type Body = Record<string, unknown>

/** A JSON error response in our envelope, its message rendered for the caller's locale. */
export const errorResponse = (status: number, body: Body, locale: Locale) =>
  HttpServerResponse.unsafeJson({ ...body, message: renderErrorMessage(body, locale) ?? body["message"] }, { status })

/** The framework's own decode error, rewritten into our ValidationFailed envelope. */
const fromDecodeError = (body: Body): Body => ({
  _tag: "ValidationFailed",
  code: "VALIDATION_FAILED",
  issues: Array.isArray(body["issues"])
    ? (body["issues"] as ReadonlyArray<Body>).map((issue) => ({
        path: Array.isArray(issue["path"]) ? issue["path"] : [],
        message: typeof issue["message"] === "string" ? issue["message"] : "is not valid"
      }))
    : []
})

/**
 * Error bodies leave the server in one shape: `{ _tag, code, message, ...fields }`, with `message`
 * in the caller's language. Success bodies pass through untouched.
 */
export const localizeErrorBody = (response: HttpServerResponse.HttpServerResponse, locale: Locale) => {
  if (response.status < 400 || response.body._tag !== "Uint8Array") return response
  if (!response.body.contentType.startsWith("application/json")) return response
  let body: unknown
  try {
    body = JSON.parse(decoder.decode(response.body.body))
  } catch {
    return response
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return response
  const parsed = (body as Body)["_tag"] === "HttpApiDecodeError" ? fromDecodeError(body as Body) : (body as Body)
  const message = renderErrorMessage(parsed, locale)
  if (message === undefined && parsed === body && typeof parsed["retryAfterSeconds"] !== "number") return response
  const rewritten = { ...parsed, message: message ?? parsed["message"] }
  const retryAfter = parsed["retryAfterSeconds"]
  return HttpServerResponse.uint8Array(encoder.encode(JSON.stringify(rewritten)), {
    status: response.status,
    // 429s say when to come back in the standard header too, for clients that read only headers
    headers: typeof retryAfter === "number" ? { ...response.headers, "retry-after": String(retryAfter) } : response.headers,
    contentType: "application/json"
  })
}
