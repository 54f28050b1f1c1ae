/**
 * Object-level authorization and mass assignment: ids in paths and bodies are checked against the
 * caller, unknown fields are refused and change nothing, and no answer ever carries a hash (every
 * reply passes the fixtures' "no passwordHash, no $2…" check).
 */
import { expect, layer } from "@effect/vitest"
import { Machine } from "@ncod/core"
import { Effect, Schema } from "effect"
import { randomUUID } from "node:crypto"
import { TestMaster } from "../../src/testing/TestMaster.js"
import {
  approvedMachine,
  approvedUser,
  asAdmin,
  call,
  decode,
  expectError,
  expectLogsFreeOfSecrets,
  type Json,
  loginReply,
  masterLayer,
  obj,
  orgTree,
  registerUser,
  registrationBody
} from "../fixtures.js"

layer(masterLayer(), { timeout: 120_000, excludeTestServices: true })("object-level authorization and mass assignment", (it) => {
  it.effect("answers a revoke of someone else's machine exactly like a revoke of a machine that does not exist, and changes nothing", () =>
    Effect.gen(function* () {
      const alice = yield* approvedUser()
      const bob = yield* approvedUser()
      const aliceMachine = yield* approvedMachine(alice)
      const theirs = yield* call("DELETE", `/api/v1/me/machines/${aliceMachine.machine.id}`, { token: bob.session.accessToken })
      const nobodys = yield* call("DELETE", `/api/v1/me/machines/${randomUUID()}`, { token: bob.session.accessToken })
      expectError(theirs, 404, "NOT_FOUND")
      expect(theirs.text).toBe(nobodys.text)
      const still = decode(Schema.Array(Machine))(yield* call("GET", "/api/v1/me/machines", { token: alice.session.accessToken }))
      expect(still.find((m) => m.id === aliceMachine.machine.id)?.status).toBe("approved")
    })
  )

  it.effect("lists only the caller's own machines", () =>
    Effect.gen(function* () {
      const alice = yield* approvedUser()
      const bob = yield* approvedUser()
      const mine = yield* approvedMachine(alice)
      yield* approvedMachine(bob)
      const list = decode(Schema.Array(Machine))(yield* call("GET", "/api/v1/me/machines", { token: alice.session.accessToken }))
      expect(list.map((m) => m.id)).toEqual([mine.machine.id])
      expect(list.every((m) => m.userId === alice.user.id)).toBe(true)
    })
  )

  it.effect("keeps users out of every admin route, their own id included", () =>
    Effect.gen(function* () {
      const alice = yield* approvedUser()
      const bob = yield* registerUser()
      const token = alice.session.accessToken
      const attempts: Array<[string, string, unknown?]> = [
        ["GET", `/api/v1/admin/users/${alice.user.id}`],
        ["GET", `/api/v1/admin/users/${bob.user.id}`],
        ["POST", `/api/v1/admin/users/${bob.user.id}/approve`],
        ["POST", `/api/v1/admin/users/approve`, { ids: [bob.user.id] }],
        ["PUT", `/api/v1/admin/users/${alice.user.id}/role`, { role: "admin" }],
        ["POST", `/api/v1/admin/users/${bob.user.id}/disable`, { reason: "x" }],
        ["GET", "/api/v1/admin/machines"],
        ["GET", "/api/v1/admin/audit"]
      ]
      for (const [method, route, json] of attempts) {
        const reply = yield* call(method, route, { token, ...(json === undefined ? {} : { json }) })
        expectError(reply, [401, 403], ["UNAUTHENTICATED", "FORBIDDEN"])
      }
      const bobNow = yield* asAdmin("GET", `/api/v1/admin/users/${bob.user.id}`)
      expect(obj(bobNow)["status"]).toBe("pending")
      const aliceNow = yield* asAdmin("GET", `/api/v1/admin/users/${alice.user.id}`)
      expect(obj(aliceNow)["role"]).toBe("user")
    })
  )

  it.effect("refuses role, status, org unit and other extra fields on PATCH /api/v1/me with 400 and changes nothing", () =>
    Effect.gen(function* () {
      const pending = yield* registerUser()
      const session = yield* Effect.map(loginReply(pending.username, pending.password), (reply) => obj(reply))
      const token = session["accessToken"] as string
      const other = (yield* orgTree).companyId
      const extras: Array<Json> = [
        { role: "admin" },
        { status: "approved" },
        { orgUnitId: other },
        { displayName: "Fine Name", role: "admin" },
        { displayName: "Fine Name", status: "approved" },
        { displayName: "Fine Name", orgUnitId: other },
        { mustChangePassword: false },
        { approvedBy: pending.user.id },
        { id: randomUUID() },
        { username: "someone-else" },
        { passwordHash: "$2b$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234" },
        { tokenVersion: 0 }
      ]
      for (const json of extras) {
        const reply = yield* call("PATCH", "/api/v1/me", { token, json })
        expectError(reply, 400, "VALIDATION_FAILED")
      }
      const profile = obj(yield* call("GET", "/api/v1/me", { token }))
      const user = profile["user"] as Json
      expect(user["role"]).toBe("user")
      expect(user["status"]).toBe("pending")
      expect(user["orgUnitId"]).toBe(pending.user.orgUnitId)
      expect(user["displayName"]).toBe(pending.displayName)
      expect(user["username"]).toBe(pending.username)
      expectError(yield* call("GET", "/api/v1/me/machines", { token }), 403, "ACCOUNT_PENDING")
    })
  )

  it.effect("refuses status, role and other extra fields on registration with 400 and creates no account", () =>
    Effect.gen(function* () {
      for (const extra of [{ status: "approved" }, { role: "admin" }, { mustChangePassword: false }, { approvedBy: randomUUID() }, { id: randomUUID() }]) {
        const body = yield* registrationBody()
        const reply = yield* call("POST", "/api/v1/auth/register", { json: { ...body, ...extra } })
        expectError(reply, 400, "VALIDATION_FAILED")
        expectError(yield* loginReply(body.username, body.password), 401, "INVALID_CREDENTIALS")
        // the name is still free: nothing was stored
        const clean = yield* call("POST", "/api/v1/auth/register", { json: body })
        expect(clean.status, clean.text).toBe(201)
        expect(obj(clean)["status"]).toBe("pending")
        expect(obj(clean)["role"]).toBe("user")
      }
    })
  )

  it.effect("refuses extra fields on admin payloads too (no sneaking a role into a reason)", () =>
    Effect.gen(function* () {
      const target = yield* registerUser()
      const reject = yield* asAdmin("POST", `/api/v1/admin/users/${target.user.id}/reject`, { json: { reason: "no", role: "admin" } })
      expectError(reject, 400, "VALIDATION_FAILED")
      const role = yield* asAdmin("PUT", `/api/v1/admin/users/${target.user.id}/role`, { json: { role: "user", status: "approved" } })
      expectError(role, 400, "VALIDATION_FAILED")
      const now = obj(yield* asAdmin("GET", `/api/v1/admin/users/${target.user.id}`))
      expect(now["status"]).toBe("pending")
      expect(now["role"]).toBe("user")
    })
  )

  it.effect("answers unknown ids on admin routes with 404, never 500", () =>
    Effect.gen(function* () {
      for (const [method, route, json] of [
        ["GET", `/api/v1/admin/users/${randomUUID()}`, undefined],
        ["POST", `/api/v1/admin/users/${randomUUID()}/approve`, undefined],
        ["POST", `/api/v1/admin/users/${randomUUID()}/reject`, { reason: "x" }],
        ["PUT", `/api/v1/admin/users/${randomUUID()}/role`, { role: "admin" }],
        ["POST", `/api/v1/admin/machines/${randomUUID()}/approve`, undefined],
        ["POST", `/api/v1/admin/machines/${randomUUID()}/revoke`, undefined],
        ["PATCH", `/api/v1/admin/org-units/${randomUUID()}`, { name: "x" }]
      ] as const) {
        const reply = yield* asAdmin(method, route, json === undefined ? {} : { json })
        expectError(reply, 404, "NOT_FOUND")
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
