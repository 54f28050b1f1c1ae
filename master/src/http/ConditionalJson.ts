import { type HttpServerRequest, HttpServerResponse } from "@effect/platform"
import type { CachedJson } from "../cache/InventoryCache.js"

/** Whether an If-None-Match header names this ETag (weak comparison, lists and `*` included). */
export const etagMatches = (ifNoneMatch: string | undefined, etag: string): boolean => {
  if (ifNoneMatch === undefined) return false
  return ifNoneMatch.split(",").some((candidate) => {
    const tag = candidate.trim()
    return tag === "*" || (tag.startsWith("W/") ? tag.slice(2) : tag) === etag
  })
}

/**
 * A cached JSON page as the response: the body as it was encoded, its ETag, and 304 Not Modified
 * when the caller already holds that page. API answers stay `Cache-Control: no-store` (browsers keep
 * no copy of who holds what on disk), so the ETag serves callers that keep it themselves: scripts
 * and tools polling a list.
 */
export const conditionalJson = (request: HttpServerRequest.HttpServerRequest, json: CachedJson) => {
  const headers = { etag: json.etag }
  return etagMatches(request.headers["if-none-match"], json.etag)
    ? HttpServerResponse.empty({ status: 304, headers })
    : HttpServerResponse.text(json.body, { contentType: "application/json", headers })
}
