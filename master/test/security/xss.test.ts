/**
 * Stored XSS, API half: every payload of wapiti's and wfuzz's lists goes into every user-controlled
 * text the API keeps (display name, email, org unit names, rejection reason, machine hostname, a
 * failed sign-in's username in the audit log) and must come back as the same inert JSON string.
 * The browser half, with the same payloads, comes with the web pages.
 */
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { TestMaster } from "../../src/testing/TestMaster.js"
import {
  adminMachines,
  approvedMachine,
  approvedUser,
  asAdmin,
  call,
  clientLoginReply,
  createOrgUnit,
  expectError,
  expectLogsFreeOfSecrets,
  issuePaths,
  type Json,
  login,
  loginReply,
  masterLayer,
  newMac,
  newPassword,
  notSecret,
  obj,
  registerUser,
  type Reply
} from "../fixtures.js"
import { loadXssPayloads } from "./payloads.js"

const payloads = loadXssPayloads()
// payloads also go into usernames of failed sign-ins, where logging them is fine
notSecret(payloads.map((p) => p.payload))

/** What a Label(max) field stores for this input, or undefined when it must be refused. */
const asLabel = (value: string, max: number) => {
  const trimmed = value.trim()
  return trimmed.length >= 1 && trimmed.length <= max && !/[\u0000-\u001f\u007f]/.test(trimmed) ? trimmed : undefined
}

/** A JSON answer, served as JSON and never sniffed into HTML. */
const expectInertJson = (reply: Reply) => {
  expect(reply.headers["content-type"], `${reply.method} ${reply.path}`).toMatch(/^application\/json/)
  expect(reply.headers["x-content-type-options"]).toBe("nosniff")
}

layer(masterLayer(), { timeout: 180_000, excludeTestServices: true })("stored XSS payloads round-trip as inert JSON", (it) => {
  it.effect("loads both Debian payload lists with a unique marker each", () =>
    Effect.sync(() => {
      expect(payloads.filter((p) => p.source === "wapiti").length).toBeGreaterThanOrEqual(50)
      expect(payloads.filter((p) => p.source === "wfuzz").length).toBeGreaterThanOrEqual(35)
      expect(new Set(payloads.map((p) => p.marker)).size).toBe(payloads.length)
      expect(payloads.every((p) => !p.payload.includes("__XSS__"))).toBe(true)
    })
  )

  it.effect("keeps display names exactly, in the profile and in the admin's view", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const token = account.session.accessToken
      let stored = 0
      for (const { payload } of payloads) {
        const reply = yield* call("PATCH", "/api/v1/me", { token, json: { displayName: payload } })
        expectInertJson(reply)
        const expected = asLabel(payload, 80)
        if (expected === undefined) {
          expect(issuePaths(reply), JSON.stringify(payload)).toContain("displayName")
          continue
        }
        expect(reply.status, `${JSON.stringify(payload)}: ${reply.text.slice(0, 200)}`).toBe(200)
        expect(((obj(reply)["user"] as Json)["displayName"]), JSON.stringify(payload)).toBe(expected)
        const profile = yield* call("GET", "/api/v1/me", { token })
        expectInertJson(profile)
        expect((obj(profile)["user"] as Json)["displayName"]).toBe(expected)
        const seen = yield* asAdmin("GET", `/api/v1/admin/users/${account.user.id}`)
        expectInertJson(seen)
        expect(obj(seen)["displayName"]).toBe(expected)
        stored++
      }
      expect(stored).toBeGreaterThan(payloads.length / 2)
    })
  )

  it.effect("keeps email addresses whose local part is a payload exactly, or refuses them by field", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      let stored = 0
      for (const { payload } of payloads) {
        const email = `${payload}@example.com`
        const reply = yield* call("PATCH", "/api/v1/me", { token: account.session.accessToken, json: { email } })
        expectInertJson(reply)
        const valid = email.trim().length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())
        if (!valid) {
          expect(issuePaths(reply), email).toContain("email")
          continue
        }
        expect(reply.status, `${email}: ${reply.text.slice(0, 200)}`).toBe(200)
        expect((obj(reply)["user"] as Json)["email"]).toBe(email.trim())
        stored++
      }
      expect(stored).toBeGreaterThan(10)
    })
  )

  it.effect("keeps org unit names exactly, in the admin list and the public tree", () =>
    Effect.gen(function* () {
      const organizationId = yield* createOrgUnit("organization", null)
      const expectedNames = new Map<string, string>()
      const seenLower = new Set<string>()
      for (const { payload } of payloads) {
        const expected = asLabel(payload, 120)
        const reply = yield* asAdmin("POST", "/api/v1/admin/org-units", {
          json: { kind: "company", parentId: organizationId, name: payload, nameEn: payload }
        })
        expectInertJson(reply)
        if (expected === undefined) {
          expect(issuePaths(reply), JSON.stringify(payload)).toContain("name")
          continue
        }
        if (seenLower.has(expected.toLowerCase())) continue // sibling names are unique regardless of case
        seenLower.add(expected.toLowerCase())
        expect(reply.status, `${JSON.stringify(payload)}: ${reply.text.slice(0, 200)}`).toBe(201)
        const unit = obj(reply)
        expect(unit["name"]).toBe(expected)
        expect(unit["nameEn"]).toBe(expected)
        expectedNames.set(unit["id"] as string, expected)
      }
      expect(expectedNames.size).toBeGreaterThan(payloads.length / 2)
      const tree = yield* call("GET", "/api/v1/org-units")
      expectInertJson(tree)
      const byId = new Map((tree.body as ReadonlyArray<Json>).map((unit) => [unit["id"] as string, unit]))
      for (const [id, name] of expectedNames) {
        expect(byId.get(id)?.["name"], id).toBe(name)
        expect(byId.get(id)?.["nameEn"], id).toBe(name)
      }
      const admin = yield* asAdmin("GET", "/api/v1/admin/org-units")
      expectInertJson(admin)
      const adminById = new Map((admin.body as ReadonlyArray<{ unit: Json }>).map((row) => [row.unit["id"] as string, row.unit]))
      for (const [id, name] of expectedNames) expect(adminById.get(id)?.["name"], id).toBe(name)
    })
  )

  it.effect("keeps rejection reasons exactly, for the admin and in the rejected user's ACCOUNT_REJECTED answer", () =>
    Effect.gen(function* () {
      for (const { payload } of payloads) {
        const account = yield* registerUser()
        const reply = yield* asAdmin("POST", `/api/v1/admin/users/${account.user.id}/reject`, { json: { reason: payload } })
        expectInertJson(reply)
        const expected = payload.trim()
        if (expected.length === 0 || expected.length > 500) {
          expect(issuePaths(reply)).toContain("reason")
          continue
        }
        expect(reply.status, `${JSON.stringify(payload)}: ${reply.text.slice(0, 200)}`).toBe(200)
        expect(obj(reply)["statusReason"]).toBe(expected)
        const session = yield* login(account.username, account.password)
        const denied = yield* call("GET", "/api/v1/me/machines", { token: session.accessToken })
        expectInertJson(denied)
        const body = expectError(denied, 403, "ACCOUNT_REJECTED")
        expect(body["reason"]).toBe(expected)
        const profile = yield* call("GET", "/api/v1/me", { token: session.accessToken })
        expect((obj(profile)["user"] as Json)["statusReason"]).toBe(expected)
      }
    }),
    120_000
  )

  it.effect("keeps client hostnames exactly, in the admin's pending list and in the audit log", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const { key } = yield* approvedMachine(account)
      const macs = new Map<string, string>()
      for (const { payload } of payloads) {
        const mac = newMac()
        const reply = yield* clientLoginReply({ username: account.username, password: account.password, macs: [mac], key, hostname: payload })
        expectInertJson(reply)
        if (payload.length > 255) {
          expect(issuePaths(reply)).toContain("hostname")
          continue
        }
        expectError(reply, 403, "MACHINE_PENDING")
        macs.set(mac, payload)
      }
      const pending = yield* adminMachines({ status: "pending", userId: account.user.id })
      for (const [mac, hostname] of macs) {
        expect(pending.find((row) => row.machine.mac === mac)?.machine.hostname, mac).toBe(hostname)
      }
      const audit = yield* asAdmin("GET", "/api/v1/admin/audit", { query: { action: "machine.request", limit: "500" } })
      expectInertJson(audit)
      const hostnames = new Set((obj(audit)["items"] as ReadonlyArray<{ details: Json }>).map((event) => event.details["hostname"]))
      for (const hostname of macs.values()) expect(hostnames.has(hostname), hostname).toBe(true)
    }),
    150_000
  )

  it.effect("keeps a failed sign-in's username exactly in the audit log", () =>
    Effect.gen(function* () {
      const tried = new Set<string>()
      for (const { payload } of payloads) {
        const reply = yield* loginReply(payload, newPassword())
        expectInertJson(reply)
        if (payload.length > 64) {
          expect(issuePaths(reply)).toContain("username")
          continue
        }
        expectError(reply, 401, "INVALID_CREDENTIALS")
        tried.add(payload)
      }
      const audit = yield* asAdmin("GET", "/api/v1/admin/audit", { query: { action: "auth.login", result: "failed", limit: "500" } })
      expectInertJson(audit)
      const names = new Set((obj(audit)["items"] as ReadonlyArray<Json>).map((event) => event["actorName"]))
      for (const name of tried) expect(names.has(name), name).toBe(true)
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
