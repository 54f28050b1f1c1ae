import { type HttpServerRequest, HttpServerResponse } from "@effect/platform"
import type { CachedJson } from "../cache/InventoryCache.js"

const opaque = (tag: string) => (tag.startsWith("W/") ? tag.slice(2) : tag)

/** Whether an If-None-Match header names this ETag (weak comparison, lists and `*` included). */
export const etagMatches = (ifNoneMatch: string | undefined, etag: string): boolean => {
  if (ifNoneMatch === undefined) return false
  return ifNoneMatch.split(",").some((candidate) => {
    const tag = candidate.trim()
    return tag === "*" || opaque(tag) === opaque(etag)
  })
}

/** Whether the caller takes gzip: listed in Accept-Encoding and not with q=0. */
export const acceptsGzip = (acceptEncoding: string | undefined): boolean =>
  acceptEncoding !== undefined &&
  acceptEncoding.split(",").some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(";")
    return coding?.trim() === "gzip" && !params.some((param) => /^\s*q\s*=\s*0(\.0*)?\s*$/.test(param))
  })

/**
 * A cached JSON page as the response: the body as it was encoded (gzipped once for callers that
 * take gzip, as browsers do: a tenth of the bytes to encrypt and send), its ETag, and 304 Not
 * Modified when the caller already holds that page. API answers stay `Cache-Control: no-store`
 * (browsers keep no copy of who holds what on disk), so the ETag serves callers that keep it
 * themselves: scripts and tools polling a list.
 */
export const conditionalJson = (request: HttpServerRequest.HttpServerRequest, json: CachedJson) => {
  const headers = { etag: json.etag, vary: "accept-encoding" }
  if (etagMatches(request.headers["if-none-match"], json.etag)) return HttpServerResponse.empty({ status: 304, headers })
  return acceptsGzip(request.headers["accept-encoding"])
    ? HttpServerResponse.uint8Array(json.gzip, { contentType: "application/json", headers: { ...headers, "content-encoding": "gzip" } })
    : HttpServerResponse.uint8Array(json.bytes, { contentType: "application/json", headers })
}
