import { HttpServerRequest } from "@effect/platform"
import { Effect, Option } from "effect"
import { AuthSettings } from "./AuthSettings.js"

/**
 * The caller's address for rate limits and the audit log. `X-Forwarded-For` is believed only when
 * the operator says a proxy of theirs sits in front; otherwise anyone could pick their own address.
 */
export const clientAddress = Effect.gen(function* () {
  const request = yield* HttpServerRequest.HttpServerRequest
  const settings = yield* AuthSettings
  if (settings.trustProxy) {
    const forwarded = request.headers["x-forwarded-for"]?.split(",")[0]?.trim()
    if (forwarded) return forwarded
  }
  return Option.getOrElse(request.remoteAddress, () => "unknown").replace(/^::ffff:/, "")
})
