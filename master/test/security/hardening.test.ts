/**
 * Transport and boundary hardening on the issue-4 routes: HSTS and security headers on every
 * answer (errors too), the CORS allowlist on errors and preflights, body size limits, Schema
 * validation of hostile bodies, localized error messages and no stack traces.
 */
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import * as https from "node:https"
import { TestMaster } from "../../src/testing/TestMaster.js"
import {
  approvedUser,
  call,
  expectError,
  expectLogsFreeOfSecrets,
  type Json,
  loginReply,
  masterLayer,
  newPassword,
  newUsername,
  registrationBody,
  type Reply
} from "../fixtures.js"

const allowedOrigin = "https://portal.example.com"
const evilOrigin = "https://evil.example.net"
const maxBodyBytes = 2048

const expectSecurityHeaders = (reply: Reply) => {
  const where = `${reply.method} ${reply.path} → ${reply.status}`
  expect(reply.headers["strict-transport-security"], where).toMatch(/max-age=\d{6,}/)
  expect(reply.headers["x-content-type-options"], where).toBe("nosniff")
  expect(reply.headers["x-frame-options"], where).toBe("DENY")
  expect(reply.headers["content-security-policy"] ?? "", where).toContain("frame-ancestors 'none'")
  expect(reply.headers["referrer-policy"], where).toBeDefined()
}

/** A request with a streamed (chunked) body of `size` bytes and no Content-Length. */
const chunkedPost = (pathname: string, size: number) =>
  Effect.flatMap(TestMaster, (master) =>
    Effect.async<{ status: number; body: string }>((resume) => {
      const request = https.request(`${master.url}${pathname}`, { method: "POST", ca: master.ca, headers: { "content-type": "application/json" } }, (response) => {
        let body = ""
        response.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")))
        response.on("end", () => resume(Effect.succeed({ status: response.statusCode ?? 0, body })))
      })
      request.on("error", (error) => resume(Effect.succeed({ status: -1, body: String(error) })))
      const chunk = `{"username":"${"a".repeat(size)}`
      for (let i = 0; i < chunk.length; i += 512) request.write(chunk.slice(i, i + 512))
      request.end(`","password":"x","audience":"portal"}`)
    })
  )

layer(masterLayer({ NCOD_CORS_ORIGINS: allowedOrigin, NCOD_MAX_BODY_BYTES: String(maxBodyBytes) }), {
  timeout: 120_000,
  excludeTestServices: true
})("hardening of the account routes", (it) => {
  it.effect("sends HSTS and the security headers on successes and on every kind of error", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const replies = [
        yield* loginReply(account.username, account.password),
        yield* loginReply(account.username, newPassword()),
        yield* call("GET", "/api/v1/me"),
        yield* call("GET", "/api/v1/me/machines", { token: account.session.accessToken }),
        yield* call("GET", "/api/v1/admin/users", { token: account.session.accessToken }),
        yield* call("POST", "/api/v1/auth/register", { json: { username: "x" } }),
        yield* call("POST", "/api/v1/auth/login", { raw: "x".repeat(maxBodyBytes * 2) }),
        yield* call("GET", "/api/v1/org-units")
      ]
      expect(replies.map((r) => r.status)).toEqual([200, 401, 401, 200, replies[4]!.status, 400, 413, 200])
      expect([401, 403]).toContain(replies[4]!.status)
      replies.forEach(expectSecurityHeaders)
    })
  )

  it.effect("gives the allowed origin CORS access on successes, errors and preflights, with Vary: Origin", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const origin = { origin: allowedOrigin }
      for (const reply of [
        yield* call("GET", "/api/v1/org-units", { headers: origin }),
        yield* loginReply(account.username, newPassword(), "portal", origin),
        yield* call("GET", "/api/v1/me", { headers: origin })
      ]) {
        expect(reply.headers["access-control-allow-origin"], `${reply.path} ${reply.status}`).toBe(allowedOrigin)
        expect(reply.headers["access-control-allow-credentials"]).toBe("true")
        expect(reply.headers["vary"] ?? "", `${reply.path}: Vary`).toMatch(/origin/i)
      }
      const preflight = yield* call("OPTIONS", "/api/v1/auth/login", {
        headers: { ...origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type,authorization" }
      })
      expect(preflight.status).toBeLessThan(300)
      expect(preflight.headers["access-control-allow-origin"]).toBe(allowedOrigin)
      expect((preflight.headers["access-control-allow-headers"] ?? "").toLowerCase()).toContain("authorization")
      // the client reads Retry-After on a lockout, so it must be exposed to scripts
      expect((yield* loginReply(account.username, newPassword(), "portal", origin)).headers["access-control-expose-headers"] ?? "").toMatch(/retry-after/i)
    })
  )

  it.effect("gives a disallowed origin no CORS header at all, on successes, errors and preflights", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const origin = { origin: evilOrigin }
      const replies = [
        yield* call("GET", "/api/v1/org-units", { headers: origin }),
        yield* loginReply(account.username, account.password, "portal", origin),
        yield* loginReply(account.username, newPassword(), "portal", origin),
        yield* call("GET", "/api/v1/me", { headers: origin }),
        yield* call("GET", "/api/v1/me", { headers: origin, token: account.session.accessToken }),
        yield* call("POST", "/api/v1/auth/register", { headers: origin, json: {} }),
        yield* call("POST", "/api/v1/auth/login", { headers: origin, raw: "x".repeat(maxBodyBytes * 2) }),
        yield* call("GET", "/api/v1/no-such-route", { headers: origin }),
        yield* call("OPTIONS", "/api/v1/auth/login", { headers: { ...origin, "access-control-request-method": "POST" } }),
        yield* call("OPTIONS", "/api/v1/me", { headers: { ...origin, "access-control-request-method": "PATCH", "access-control-request-headers": "authorization" } }),
        yield* call("GET", "/api/v1/org-units", { headers: { origin: "null" } }),
        yield* call("GET", "/api/v1/org-units", { headers: { origin: `${allowedOrigin}.evil.example.net` } }),
        yield* call("GET", "/api/v1/org-units", { headers: { origin: allowedOrigin.replace("https", "http") } })
      ]
      for (const reply of replies) {
        const where = `${reply.method} ${reply.path} → ${reply.status}`
        expect(reply.headers["access-control-allow-origin"], where).toBeUndefined()
      }
    })
  )

  // A body must declare its length: a chunked (undeclared) body is refused with 411 before it is
  // read, because refusing it after reading up to the limit would destroy the socket unanswered.
  it.effect("refuses bodies over the limit with 413 and undeclared (chunked) bodies with 411, before reading them", () =>
    Effect.gen(function* () {
      const declared = yield* call("POST", "/api/v1/auth/register", { raw: JSON.stringify({ displayName: "x".repeat(maxBodyBytes) }) })
      expect(expectError(declared, 413, "PAYLOAD_TOO_LARGE")["limitBytes"]).toBe(maxBodyBytes)
      const streamed = yield* chunkedPost("/api/v1/auth/login", maxBodyBytes * 4)
      expect(streamed.status, streamed.body.slice(0, 200)).toBe(411)
      expect(JSON.parse(streamed.body)).toMatchObject({ code: "LENGTH_REQUIRED" })
      const smallStreamed = yield* chunkedPost("/api/v1/auth/login", 100)
      expect(smallStreamed.status).toBe(411)
    })
  )

  it.effect("answers hostile or malformed bodies with 400 VALIDATION_FAILED, never a 500", () =>
    Effect.gen(function* () {
      const valid = yield* registrationBody()
      const bodies: Array<[string, string, Record<string, string>?]> = [
        ["broken JSON", '{"username": "a",'],
        ["a JSON array", "[1,2,3]"],
        ["a JSON string", '"hello"'],
        ["null", "null"],
        ["empty", ""],
        ["a number for a string", JSON.stringify({ ...valid, displayName: 42 })],
        ["an object for a string", JSON.stringify({ ...valid, username: { $ne: null } })],
        ["an array for a string", JSON.stringify({ ...valid, email: ["a@b.cc"] })],
        ["deep nesting", `${'{"a":'.repeat(200)}1${"}".repeat(200)}`],
        ["prototype pollution", JSON.stringify({ ...valid }).replace(/^\{/, '{"__proto__":{"role":"admin","status":"approved"},')],
        ["constructor pollution", JSON.stringify({ ...valid, constructor: { prototype: { role: "admin" } } })],
        ["invalid UTF-8", Buffer.from([0x7b, 0x22, 0x75, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]).toString("latin1")],
        ["text/plain content type", JSON.stringify(valid), { "content-type": "text/plain" }],
        ["form content type", "username=a&password=b", { "content-type": "application/x-www-form-urlencoded" }]
      ]
      const problems: Array<string> = []
      for (const [what, raw, headers] of bodies) {
        const reply = yield* call("POST", "/api/v1/auth/register", { raw, allowServerError: true, ...(headers ? { headers } : {}) })
        const fine = reply.status === 415 || (reply.status === 400 && (reply.body as Json)["code"] === "VALIDATION_FAILED")
        if (!fine) problems.push(`${what}: ${reply.status} ${reply.text.slice(0, 120)}`)
      }
      expect(problems).toEqual([])
      // nothing above created an account
      const again = yield* call("POST", "/api/v1/auth/register", { json: valid })
      expect(again.status, again.text).toBe(201)
      expect((again.body as Json)["role"]).toBe("user")
      expect((again.body as Json)["status"]).toBe("pending")
    })
  )

  it.effect("names each invalid field in VALIDATION_FAILED, with the message in Chinese for zh", () =>
    Effect.gen(function* () {
      const body = { ...(yield* registrationBody()), username: "x", email: "not-an-email" }
      const english = yield* call("POST", "/api/v1/auth/register", { json: body })
      const issues = expectError(english, 400, "VALIDATION_FAILED")["issues"] as ReadonlyArray<{ path: ReadonlyArray<string>; message: string }>
      expect(issues.map((issue) => issue.path.join("."))).toContain("username")
      expect((english.body as Json)["message"]).toMatch(/^Some fields are not valid: /)
      const chinese = yield* call("POST", "/api/v1/auth/register", { json: body, headers: { "accept-language": "zh-CN,zh;q=0.9" } })
      expect(expectError(chinese, 400, "VALIDATION_FAILED")["message"]).toMatch(/^以下字段无效：/)
    })
  )

  it.effect("renders every auth error message in Chinese for zh and English otherwise", () =>
    Effect.gen(function* () {
      const zh = { "accept-language": "zh" }
      const cases: Array<[Reply, Reply, string]> = [
        [yield* call("GET", "/api/v1/me"), yield* call("GET", "/api/v1/me", { headers: zh }), "UNAUTHENTICATED"],
        [yield* loginReply(newUsername(), newPassword()), yield* loginReply(newUsername(), newPassword(), "portal", zh), "INVALID_CREDENTIALS"]
      ]
      for (const [english, chinese, code] of cases) {
        expect(expectError(english, english.status, code)["message"]).toMatch(/^[\x20-\x7e]+$/)
        expect(expectError(chinese, chinese.status, code)["message"]).toMatch(/[\u4e00-\u9fff]/)
      }
    })
  )

  it.effect("writes no password, token or hash to its log", () =>
    Effect.gen(function* () {
      const master = yield* TestMaster
      expect(master.logs.length).toBeGreaterThan(0)
      expectLogsFreeOfSecrets(master.logs)
    })
  )
})
