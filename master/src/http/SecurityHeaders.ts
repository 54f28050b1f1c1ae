import { HttpServerResponse } from "@effect/platform"
import { createHash } from "node:crypto"

const basePolicy = {
  "default-src": "'self'",
  "script-src": "'self'",
  "style-src": "'self' 'unsafe-inline'",
  "img-src": "'self' data:",
  "font-src": "'self' data:",
  "connect-src": "'self'",
  "object-src": "'none'",
  "base-uri": "'self'",
  "form-action": "'self'",
  "frame-ancestors": "'none'"
}

const render = (policy: Record<string, string>) =>
  Object.entries(policy)
    .map(([directive, value]) => `${directive} ${value}`)
    .join("; ")

const defaultCsp = render(basePolicy)

// Swagger UI ships as one HTML page with an inline script: allow exactly that script by its hash
// instead of 'unsafe-inline'. Computed once from the page itself.
const inlineScriptHashes = new WeakMap<Uint8Array, string>()
const cspForInlineScripts = (html: Uint8Array) => {
  let cached = inlineScriptHashes.get(html)
  if (cached === undefined) {
    const text = new TextDecoder().decode(html)
    const hashes = [...text.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
      (match) => `'sha256-${createHash("sha256").update(match[1] ?? "").digest("base64")}'`
    )
    cached = render({ ...basePolicy, "script-src": ["'self'", ...hashes].join(" ") })
    inlineScriptHashes.set(html, cached)
  }
  return cached
}

/** Headers every response carries; HSTS only over TLS, where browsers honour it. */
export const withSecurityHeaders = (response: HttpServerResponse.HttpServerResponse, tls: boolean) => {
  const isHtml = response.body._tag === "Uint8Array" && response.body.contentType.startsWith("text/html")
  const csp = isHtml && response.body._tag === "Uint8Array" ? cspForInlineScripts(response.body.body) : defaultCsp
  const headers: Record<string, string> = {
    "content-security-policy": csp,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), usb=()"
  }
  if (tls) headers["strict-transport-security"] = "max-age=31536000; includeSubDomains"
  if (!response.headers["cache-control"]) headers["cache-control"] = "no-store"
  return HttpServerResponse.setHeaders(response, headers)
}
