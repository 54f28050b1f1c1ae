/**
 * The approval workflow: pending and rejected users reach only their own profile; admins approve
 * (one or many), reject with a reason, disable and re-enable, and change roles; the admin app is
 * for admins only.
 */
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { TestMaster } from "../../src/testing/TestMaster.js"
import {
  adminSession,
  approvedUser,
  asAdmin,
  call,
  clientLoginReply,
  expectError,
  issuePaths,
  type Json,
  jwtClaims,
  login,
  loginReply,
  masterLayer,
  newMac,
  newMachineKey,
  obj,
  registerUser
} from "../fixtures.js"

layer(masterLayer(), { timeout: 120_000, excludeTestServices: true })("approval workflow", (it) => {
  it.effect("lets a pending user read and edit only their own profile; everything else answers 403 ACCOUNT_PENDING", () =>
    Effect.gen(function* () {
      const account = yield* registerUser()
      const session = yield* login(account.username, account.password)
      const token = session.accessToken
      expect((obj(yield* call("GET", "/api/v1/me", { token }))["user"] as Json)["status"]).toBe("pending")
      const edited = yield* call("PATCH", "/api/v1/me", { token, json: { displayName: "Waiting Patiently" } })
      expect(edited.status, edited.text).toBe(200)
      expectError(yield* call("GET", "/api/v1/me/machines", { token }), 403, "ACCOUNT_PENDING")
      const client = yield* clientLoginReply({ username: account.username, password: account.password, macs: [newMac()], key: newMachineKey() })
      expectError(client, 403, "ACCOUNT_PENDING")
      const zh = yield* call("GET", "/api/v1/me/machines", { token, headers: { "accept-language": "zh" } })
      expect(expectError(zh, 403, "ACCOUNT_PENDING")["message"]).toMatch(/审批/)
    })
  )

  it.effect("approves a user: status, approver and time show in the user's profile, and the fleet routes open", () =>
    Effect.gen(function* () {
      const account = yield* registerUser()
      const session = yield* login(account.username, account.password)
      const admin = yield* adminSession
      const approved = obj(yield* asAdmin("POST", `/api/v1/admin/users/${account.user.id}/approve`))
      expect(approved["status"]).toBe("approved")
      expect(approved["approvedBy"]).toBe(admin.user.id)
      const profile = obj(yield* call("GET", "/api/v1/me", { token: session.accessToken }))
      const user = profile["user"] as Json
      expect(user["status"]).toBe("approved")
      expect(user["approvedBy"]).toBe(admin.user.id)
      expect(Date.parse(user["approvedAt"] as string)).toBeGreaterThan(Date.now() - 60_000)
      // the same session now reaches the fleet routes
      expect((yield* call("GET", "/api/v1/me/machines", { token: session.accessToken })).status).toBe(200)
    })
  )

  it.effect("approves several users at once", () =>
    Effect.gen(function* () {
      const a = yield* registerUser()
      const b = yield* registerUser()
      const reply = yield* asAdmin("POST", "/api/v1/admin/users/approve", { json: { ids: [a.user.id, b.user.id] } })
      expect(reply.status, reply.text).toBe(200)
      expect((reply.body as ReadonlyArray<Json>).map((user) => user["status"])).toEqual(["approved", "approved"])
      expectError(yield* asAdmin("POST", "/api/v1/admin/users/approve", { json: { ids: [] } }), 400, "VALIDATION_FAILED")
    })
  )

  it.effect("rejects with a reason the user sees in the profile and in every ACCOUNT_REJECTED answer; a reason is required", () =>
    Effect.gen(function* () {
      const account = yield* registerUser()
      expect(issuePaths(yield* asAdmin("POST", `/api/v1/admin/users/${account.user.id}/reject`, { json: { reason: "   " } }))).toContain("reason")
      expect(issuePaths(yield* asAdmin("POST", `/api/v1/admin/users/${account.user.id}/reject`, { json: {} }))).toContain("reason")
      const rejected = obj(yield* asAdmin("POST", `/api/v1/admin/users/${account.user.id}/reject`, { json: { reason: "  Not in this department  " } }))
      expect(rejected["status"]).toBe("rejected")
      expect(rejected["statusReason"]).toBe("Not in this department")
      const session = yield* login(account.username, account.password)
      const user = obj(yield* call("GET", "/api/v1/me", { token: session.accessToken }))["user"] as Json
      expect(user["status"]).toBe("rejected")
      expect(user["statusReason"]).toBe("Not in this department")
      const denied = expectError(yield* call("GET", "/api/v1/me/machines", { token: session.accessToken }), 403, "ACCOUNT_REJECTED")
      expect(denied["reason"]).toBe("Not in this department")
      expect(denied["message"]).toContain("Not in this department")
      const client = yield* clientLoginReply({ username: account.username, password: account.password, macs: [newMac()], key: newMachineKey() })
      expect(expectError(client, 403, "ACCOUNT_REJECTED")["reason"]).toBe("Not in this department")
    })
  )

  it.effect("refuses to reject an approved user (409) and lets an admin approve a rejected one", () =>
    Effect.gen(function* () {
      const approved = yield* approvedUser()
      expectError(yield* asAdmin("POST", `/api/v1/admin/users/${approved.user.id}/reject`, { json: { reason: "late" } }), 409, "CONFLICT")
      const account = yield* registerUser()
      yield* asAdmin("POST", `/api/v1/admin/users/${account.user.id}/reject`, { json: { reason: "mistake" } })
      const reapproved = obj(yield* asAdmin("POST", `/api/v1/admin/users/${account.user.id}/approve`))
      expect(reapproved["status"]).toBe("approved")
    })
  )

  it.effect("disables a user: sessions end, sign-in answers 403 ACCOUNT_DISABLED; enabling restores sign-in", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const disabled = obj(yield* asAdmin("POST", `/api/v1/admin/users/${account.user.id}/disable`, { json: { reason: "Left the company" } }))
      expect(disabled["status"]).toBe("disabled")
      expect(disabled["statusReason"]).toBe("Left the company")
      expectError(yield* call("GET", "/api/v1/me", { token: account.session.accessToken }), 401, "UNAUTHENTICATED")
      expectError(yield* call("POST", "/api/v1/auth/refresh", { json: { refreshToken: account.session.refreshToken } }), 401, "UNAUTHENTICATED")
      expectError(yield* loginReply(account.username, account.password), 403, "ACCOUNT_DISABLED")
      const enabled = obj(yield* asAdmin("POST", `/api/v1/admin/users/${account.user.id}/enable`))
      expect(enabled["status"]).toBe("approved")
      const again = yield* login(account.username, account.password)
      expect((yield* call("GET", "/api/v1/me/machines", { token: again.accessToken })).status).toBe(200)
    })
  )

  it.effect("promotes a user to admin (admin app opens, old sessions end) and demotes them again", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      expectError(yield* loginReply(account.username, account.password, "admin"), 403, "FORBIDDEN")
      const promoted = obj(yield* asAdmin("PUT", `/api/v1/admin/users/${account.user.id}/role`, { json: { role: "admin" } }))
      expect(promoted["role"]).toBe("admin")
      expectError(yield* call("GET", "/api/v1/me", { token: account.session.accessToken }), 401, "UNAUTHENTICATED")
      const adminApp = yield* login(account.username, account.password, "admin")
      expect(jwtClaims(adminApp.accessToken)["aud"]).toBe("admin")
      expect((yield* call("GET", "/api/v1/admin/users", { token: adminApp.accessToken })).status).toBe(200)
      const demoted = obj(yield* asAdmin("PUT", `/api/v1/admin/users/${account.user.id}/role`, { json: { role: "user" } }))
      expect(demoted["role"]).toBe("user")
      expectError(yield* call("GET", "/api/v1/admin/users", { token: adminApp.accessToken }), [401, 403], ["UNAUTHENTICATED", "FORBIDDEN"])
      expectError(yield* call("POST", "/api/v1/auth/refresh", { json: { refreshToken: adminApp.refreshToken } }), 401, "UNAUTHENTICATED")
      expectError(yield* loginReply(account.username, account.password, "admin"), 403, "FORBIDDEN")
    })
  )

  it.effect("keeps an admin from disabling or demoting themselves, and the last admin in place", () =>
    Effect.gen(function* () {
      const admin = yield* adminSession
      expectError(yield* asAdmin("POST", `/api/v1/admin/users/${admin.user.id}/disable`, { json: { reason: "oops" } }), 409, "CONFLICT")
      expectError(yield* asAdmin("PUT", `/api/v1/admin/users/${admin.user.id}/role`, { json: { role: "user" } }), 409, "CONFLICT")
      const master = yield* TestMaster
      expect((yield* login(master.admin.username, master.admin.password, "admin")).user.role).toBe("admin")
    })
  )

  it.effect("moves a user to another department and refuses an unknown one", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const other = yield* registerUser()
      const moved = obj(yield* asAdmin("PUT", `/api/v1/admin/users/${account.user.id}/org-unit`, { json: { orgUnitId: other.user.orgUnitId } }))
      expect(moved["orgUnitId"]).toBe(other.user.orgUnitId)
      const unknown = yield* asAdmin("PUT", `/api/v1/admin/users/${account.user.id}/org-unit`, { json: { orgUnitId: "00000000-0000-4000-8000-000000000000" } })
      expect([400, 404]).toContain(unknown.status)
    })
  )

  it.effect("filters the user list by status, role and text", () =>
    Effect.gen(function* () {
      const pending = yield* registerUser()
      const approved = yield* approvedUser()
      const pendingIds = (obj(yield* asAdmin("GET", "/api/v1/admin/users", { query: { status: "pending", limit: "500" } }))["items"] as ReadonlyArray<Json>).map((u) => u["id"])
      expect(pendingIds).toContain(pending.user.id)
      expect(pendingIds).not.toContain(approved.user.id)
      const admins = obj(yield* asAdmin("GET", "/api/v1/admin/users", { query: { role: "admin" } }))["items"] as ReadonlyArray<Json>
      expect(admins.every((u) => u["role"] === "admin")).toBe(true)
      const found = obj(yield* asAdmin("GET", "/api/v1/admin/users", { query: { q: approved.username } }))["items"] as ReadonlyArray<Json>
      expect(found.map((u) => u["id"])).toEqual([approved.user.id])
    })
  )
})
