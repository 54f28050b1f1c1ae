import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, layer } from "@effect/vitest"
import { Validator } from "@seriousme/openapi-schema-validator"
import { Effect, Layer } from "effect"
import { createHash } from "node:crypto"
import * as https from "node:https"
import { rawGet, TestMaster, testHttpClientLayer, testMasterLayer, typedClient } from "../testing/TestMaster.js"

const TestLayer = Layer.provideMerge(
  testHttpClientLayer,
  testMasterLayer({ NCOD_CORS_ORIGINS: "https://portal.example.com", NCOD_MAX_BODY_BYTES: "2048" })
)

layer(TestLayer, { timeout: 120_000 })("the master over HTTPS", (it) => {
  it.effect("answers liveness and readiness through the typed client", () =>
    Effect.gen(function* () {
      const client = yield* typedClient
      expect(yield* client.health.liveness()).toEqual({ status: "ok" })
      const ready = yield* client.health.readiness()
      expect(ready).toEqual({ status: "ready", checks: { database: "ok", migrations: "ok" } })
      const info = yield* client.meta.info()
      expect(info.product).toBe("ncod")
      expect(info.apiVersion).toBe("v1")
    })
  )

  it.effect("publishes an OpenAPI document that a validator accepts", () =>
    Effect.gen(function* () {
      const response = yield* rawGet("/openapi.json")
      expect(response.status).toBe(200)
      const document = (yield* response.json) as { openapi: string; paths: Record<string, unknown> }
      expect(document.openapi).toMatch(/^3\./)
      expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(["/healthz", "/readyz", "/api/v1/info"]))
      const result = yield* Effect.promise(() => new Validator().validate(document as never))
      expect(result.errors ?? []).toEqual([])
      expect(result.valid).toBe(true)
    })
  )

  it.effect("serves Swagger UI whose inline script is allowed by the page's CSP hash and nothing else", () =>
    Effect.gen(function* () {
      const response = yield* rawGet("/docs")
      expect(response.status).toBe(200)
      const html = yield* response.text
      expect(html).toContain("swagger-ui")
      const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? "")
      expect(scripts.length).toBe(1)
      const hash = createHash("sha256").update(scripts[0]!).digest("base64")
      const csp = response.headers["content-security-policy"] ?? ""
      expect(csp).toContain(`'sha256-${hash}'`)
      expect(csp).not.toContain("unsafe-inline' 'unsafe-eval")
      expect(csp).toMatch(/script-src 'self' 'sha256-[^']+'(;|$)/)
    })
  )

  it.effect("keeps an idle connection open longer than Node's 5 s default, so a slave reporting every 30 s reuses it", () =>
    Effect.gen(function* () {
      const master = yield* TestMaster
      const agent = new https.Agent({ keepAlive: true, ca: master.ca })
      const get = () =>
        Effect.async<{ socket: unknown; keepAlive: unknown }>((resume) => {
          https.get(`${master.url}/healthz`, { agent }, (response) => {
            response.resume()
            response.on("end", () => resume(Effect.succeed({ socket: response.socket, keepAlive: response.headers["keep-alive"] })))
          })
        })
      const first = yield* get()
      expect(first.keepAlive).toBe("timeout=75")
      // real time: the connection's idle timer runs in the server, not on the test clock
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 5_500)))
      const second = yield* get()
      expect(second.socket).toBe(first.socket)
      agent.destroy()
    })
  )

  it.effect("sends security headers with every response", () =>
    Effect.gen(function* () {
      const response = yield* rawGet("/healthz")
      expect(response.headers["strict-transport-security"]).toContain("max-age=")
      expect(response.headers["x-content-type-options"]).toBe("nosniff")
      expect(response.headers["x-frame-options"]).toBe("DENY")
      expect(response.headers["content-security-policy"]).toContain("frame-ancestors 'none'")
      expect(response.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/)
    })
  )

  it.effect("keeps a sane caller request id and replaces an unsafe one", () =>
    Effect.gen(function* () {
      const kept = yield* rawGet("/healthz", { "x-request-id": "trace-abc-12345" })
      expect(kept.headers["x-request-id"]).toBe("trace-abc-12345")
      const replaced = yield* rawGet("/healthz", { "x-request-id": "bad id\twith spaces" })
      expect(replaced.headers["x-request-id"]).not.toContain(" ")
    })
  )

  it.effect("answers an unknown route with the JSON error envelope in the caller's language", () =>
    Effect.gen(function* () {
      const english = yield* rawGet("/api/v1/nothing-here")
      expect(english.status).toBe(404)
      expect(yield* english.json).toEqual({
        _tag: "NotFound",
        code: "NOT_FOUND",
        resource: "route",
        message: "The route was not found."
      })
      const chinese = yield* rawGet("/api/v1/nothing-here", { "accept-language": "zh-CN,zh;q=0.9,en;q=0.5" })
      expect(((yield* chinese.json) as { message: string }).message).toBe("未找到该接口。")
    })
  )

  it.effect("gives an allowed origin CORS access and a disallowed origin none", () =>
    Effect.gen(function* () {
      const allowed = yield* rawGet("/api/v1/info", { origin: "https://portal.example.com" })
      expect(allowed.headers["access-control-allow-origin"]).toBe("https://portal.example.com")
      const denied = yield* rawGet("/api/v1/info", { origin: "https://evil.example.net" })
      expect(denied.headers["access-control-allow-origin"]).toBeUndefined()
      const client = yield* HttpClient.HttpClient
      const master = yield* TestMaster
      const preflight = yield* client.execute(
        HttpClientRequest.make("OPTIONS")(`${master.url}/api/v1/info`).pipe(
          HttpClientRequest.setHeaders({ origin: "https://evil.example.net", "access-control-request-method": "POST" })
        )
      )
      expect(preflight.headers["access-control-allow-origin"]).toBeUndefined()
    })
  )

  it.effect("refuses a body over the configured limit with 413 and the limit in the answer", () =>
    Effect.gen(function* () {
      const client = yield* HttpClient.HttpClient
      const master = yield* TestMaster
      const response = yield* client.execute(
        HttpClientRequest.post(`${master.url}/api/v1/info`).pipe(HttpClientRequest.bodyText("x".repeat(4096)))
      )
      expect(response.status).toBe(413)
      expect(yield* response.json).toMatchObject({ code: "PAYLOAD_TOO_LARGE", limitBytes: 2048 })
    })
  )
})

describe("a master serving plain HTTP", () => {
  layer(Layer.provideMerge(testHttpClientLayer, testMasterLayer({ NCOD_INSECURE_HTTP: "true" })), { timeout: 120_000 })(
    "when explicitly configured",
    (it) => {
      it.effect("serves http:// and sends no HSTS header", () =>
        Effect.gen(function* () {
          const master = yield* TestMaster
          expect(master.url.startsWith("http://")).toBe(true)
          const response = yield* rawGet("/healthz")
          expect(response.status).toBe(200)
          expect(response.headers["strict-transport-security"]).toBeUndefined()
        })
      )
    }
  )
})
