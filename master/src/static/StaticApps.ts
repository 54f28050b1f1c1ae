import { HttpLayerRouter, HttpPlatform, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, type Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { errorResponse } from "../http/ErrorBodies.js"

export interface StaticApp {
  /** URL prefix: "/" for the portal, "/admin" for the admin app. */
  readonly prefix: "/" | "/admin"
  /** The vite build output (index.html + assets/). */
  readonly dir: string
}

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json"
}

/** Paths that belong to the API side: an unknown one there is a 404, never the app's index.html. */
const serverPaths = /^\/(api|rpc|metrics|docs|openapi\.json|healthz|readyz)(\/|$)/

/**
 * Serves a built single-page app: files from its directory (hashed assets cached for a year,
 * everything else revalidated), and index.html for any other path so client-side routes load.
 * Paths never escape the directory.
 */
const serveApp = (app: StaticApp) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const url = new URL(request.url, "http://x")
    const relative = decodeURIComponent(app.prefix === "/" ? url.pathname : url.pathname.slice(app.prefix.length) || "/")
    if (serverPaths.test(url.pathname) || relative.includes("\u0000")) {
      return errorResponse(404, { _tag: "NotFound", code: "NOT_FOUND", resource: "route" }, "en")
    }
    const root = path.resolve(app.dir)
    const index = path.join(root, "index.html")
    if (!fs.existsSync(index)) {
      return HttpServerResponse.text(
        "This app is not built yet. After `npm start` it is being built in the background: reload in a minute. Otherwise run `npm run build`.\n",
        { status: 503, headers: { "retry-after": "30" } }
      )
    }
    const candidate = path.resolve(root, `.${path.posix.normalize(relative)}`)
    const inside = candidate.startsWith(root + path.sep)
    const isFile = inside && fs.statSync(candidate, { throwIfNoEntry: false })?.isFile() === true
    const file = isFile ? candidate : index
    const hashed = isFile && /[.-][A-Za-z0-9_-]{8,}\.(js|css|woff2?|svg|png)$/.test(file)
    return yield* HttpServerResponse.file(file, {
      contentType: contentTypes[path.extname(file)] ?? "application/octet-stream",
      headers: { "cache-control": hashed ? "public, max-age=31536000, immutable" : "no-cache" }
    })
  }).pipe(Effect.orDie)

export const staticAppsLayer = (
  apps: ReadonlyArray<StaticApp>
): Layer.Layer<never, never, HttpLayerRouter.HttpRouter | HttpPlatform.HttpPlatform> =>
  HttpLayerRouter.use((router) =>
    Effect.forEach(
      apps,
      (app) =>
        Effect.gen(function* () {
          const platform = yield* HttpPlatform.HttpPlatform
          const handler = Effect.provideService(serveApp(app), HttpPlatform.HttpPlatform, platform)
          yield* router.add("GET", app.prefix === "/" ? "/*" : `${app.prefix}/*`, handler)
          if (app.prefix !== "/") yield* router.add("GET", app.prefix, handler)
        }),
      { discard: true }
    )
  )
