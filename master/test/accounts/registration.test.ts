/**
 * Registration: the public org tree, field-level validation, the password policy (OWASP ASVS 4.0.3
 * §2.1), new accounts start pending, usernames are unique, registrations are rate limited.
 */
import { HttpApiClient } from "@effect/platform"
import { NcodApi, OrgUnitId } from "@ncod/core"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { TestMaster } from "../../src/testing/TestMaster.js"
import {
  asAdmin,
  call,
  createOrgTree,
  expectError,
  issuePaths,
  type Json,
  login,
  loginReply,
  masterLayer,
  newUsername,
  obj,
  orgTree,
  registerReply,
  registerUser
} from "../fixtures.js"

layer(masterLayer(), { timeout: 120_000, excludeTestServices: true })("registration", (it) => {
  it.effect("offers the active org tree to anyone, without signing in", () =>
    Effect.gen(function* () {
      const tree = yield* orgTree
      const reply = yield* call("GET", "/api/v1/org-units")
      expect(reply.status).toBe(200)
      const units = reply.body as ReadonlyArray<Json>
      const ids = units.map((unit) => unit["id"])
      expect(ids).toEqual(expect.arrayContaining([tree.organizationId, tree.companyId, tree.departmentId]))
      const department = units.find((unit) => unit["id"] === tree.departmentId)!
      expect(department["kind"]).toBe("project_department")
      expect(department["parentId"]).toBe(tree.companyId)
    })
  )

  it.effect("creates a pending user with the given details, never an admin, and never returns a hash", () =>
    Effect.gen(function* () {
      const tree = yield* orgTree
      const username = newUsername()
      const client = yield* Effect.flatMap(TestMaster, (master) => HttpApiClient.make(NcodApi, { baseUrl: master.url }))
      const user = yield* client.auth.register({
        payload: {
          username,
          displayName: "张三 Zhang San",
          email: `${username}@example.com`,
          phone: "+86 138 0013 8000",
          password: "correct horse 电池 staple",
          orgUnitId: OrgUnitId.make(tree.departmentId)
        }
      })
      expect(user.username).toBe(username)
      expect(user.displayName).toBe("张三 Zhang San")
      expect(user.email).toBe(`${username}@example.com`)
      expect(user.phone).toBe("+86 138 0013 8000")
      expect(user.status).toBe("pending")
      expect(user.role).toBe("user")
      expect(user.orgUnitId).toBe(tree.departmentId)
      expect(user.approvedBy).toBeNull()
      expect(user.approvedAt).toBeNull()
      expect(JSON.stringify(user)).not.toMatch(/\$2[aby]?\$/)
      const padded = yield* registerReply({ displayName: "  Padded Name  " })
      expect(obj(padded)["displayName"]).toBe("Padded Name")
    })
  )

  it.effect("lets a pending user sign in to the portal with the registered password (any script, spaces allowed)", () =>
    Effect.gen(function* () {
      const account = yield* registerUser({ password: "correct horse 电池 staple" })
      const session = yield* login(account.username, "correct horse 电池 staple")
      expect(session.user.status).toBe("pending")
      expectError(yield* loginReply(account.username, "correct horse 电池 stapl"), 401, "INVALID_CREDENTIALS")
    })
  )

  it.effect("names each invalid field with a path", () =>
    Effect.gen(function* () {
      const tree = yield* orgTree
      const cases: Array<[Json, string]> = [
        [{ username: "x" }, "username"],
        [{ username: "bad name!" }, "username"],
        [{ username: "-starts-with-dash" }, "username"],
        [{ username: "a".repeat(33) }, "username"],
        [{ displayName: "   " }, "displayName"],
        [{ displayName: "x".repeat(81) }, "displayName"],
        [{ displayName: "tab\there" }, "displayName"],
        [{ email: "not-an-email" }, "email"],
        [{ email: "a b@example.com" }, "email"],
        [{ phone: "call me" }, "phone"],
        [{ password: "short pw 11" }, "password"],
        [{ password: "x".repeat(129) }, "password"],
        [{ orgUnitId: "not-a-uuid" }, "orgUnitId"],
        [{ orgUnitId: "00000000-0000-4000-8000-000000000000" }, "orgUnitId"],
        [{ orgUnitId: tree.companyId }, "orgUnitId"],
        [{ orgUnitId: tree.organizationId }, "orgUnitId"]
      ]
      for (const [override, path] of cases) {
        const reply = yield* registerReply(override as never)
        expect(issuePaths(reply), JSON.stringify(override)).toContain(path)
      }
      const missing = yield* call("POST", "/api/v1/auth/register", { json: { username: newUsername() } })
      expect(issuePaths(missing).length).toBeGreaterThan(0)
    })
  )

  it.effect("accepts passwords of exactly 12 and 128 characters and refuses 11 and 129", () =>
    Effect.gen(function* () {
      expect((yield* registerReply({ password: "k7 Lq9 zP2 w" })).status).toBe(201)
      expect((yield* registerReply({ password: `${"kq7Lz".repeat(25)}abc` })).status).toBe(201)
      expect(issuePaths(yield* registerReply({ password: "k7 Lq9 zP2 " }))).toContain("password")
      expect(issuePaths(yield* registerReply({ password: `${"kq7Lz".repeat(25)}abcd` }))).toContain("password")
    })
  )

  it.effect("has no composition rules: lower-case words only are fine", () =>
    Effect.gen(function* () {
      const reply = yield* registerReply({ password: "purple monkey dishwasher" })
      expect(reply.status, reply.text).toBe(201)
    })
  )

  it.effect("refuses very common passwords and ones containing the username, with path password", () =>
    Effect.gen(function* () {
      for (const password of ["password1234", "123456789012", "qwerty123456", "Password1234", "aaaaaaaaaaaa"]) {
        expect(issuePaths(yield* registerReply({ password })), password).toContain("password")
      }
      const username = newUsername()
      expect(issuePaths(yield* registerReply({ username, password: username + username }))).toContain("password")
      expect(issuePaths(yield* registerReply({ username, password: `my name is ${username.toUpperCase()}` }))).toContain("password")
      // nothing was created on the way
      expect((yield* registerReply({ username })).status).toBe(201)
    })
  )

  it.effect("refuses a username that is taken, whatever its case, with 409 USERNAME_TAKEN", () =>
    Effect.gen(function* () {
      const account = yield* registerUser()
      expectError(yield* registerReply({ username: account.username }), 409, "USERNAME_TAKEN")
      expectError(yield* registerReply({ username: account.username.toUpperCase() }), 409, "USERNAME_TAKEN")
    })
  )

  it.effect("refuses registration into a retired department", () =>
    Effect.gen(function* () {
      const tree = yield* createOrgTree
      expect((yield* asAdmin("POST", `/api/v1/admin/org-units/${tree.departmentId}/retire`)).status).toBe(200)
      const units = (yield* call("GET", "/api/v1/org-units")).body as ReadonlyArray<Json>
      expect(units.map((unit) => unit["id"])).not.toContain(tree.departmentId)
      expect(issuePaths(yield* registerReply({ orgUnitId: tree.departmentId }))).toContain("orgUnitId")
    })
  )

  it.effect("stops offering the departments of a retired company, in the tree and to registration", () =>
    Effect.gen(function* () {
      const tree = yield* createOrgTree
      expect((yield* asAdmin("POST", `/api/v1/admin/org-units/${tree.companyId}/retire`)).status).toBe(200)
      const units = (yield* call("GET", "/api/v1/org-units")).body as ReadonlyArray<Json>
      const ids = units.map((unit) => unit["id"])
      const reply = yield* registerReply({ orgUnitId: tree.departmentId })
      expect(ids).not.toContain(tree.companyId)
      expect({ offered: ids.includes(tree.departmentId), registered: reply.status === 201 }).toEqual({ offered: false, registered: false })
      expect(issuePaths(reply)).toContain("orgUnitId")
    })
  )

  it.effect("shows the new user to admins among the pending ones", () =>
    Effect.gen(function* () {
      const account = yield* registerUser()
      const page = obj(yield* asAdmin("GET", "/api/v1/admin/users", { query: { status: "pending", q: account.username } }))
      const items = page["items"] as ReadonlyArray<Json>
      expect(items.map((user) => user["id"])).toEqual([account.user.id])
    })
  )
})

layer(masterLayer({ NCOD_REGISTRATIONS_PER_HOUR: "3" }), { timeout: 120_000, excludeTestServices: true })("registration rate limit", (it) => {
  it.effect("refuses registrations from one address beyond the hourly limit with 429 RATE_LIMITED and a retry time", () =>
    Effect.gen(function* () {
      yield* orgTree
      for (let i = 0; i < 3; i++) expect((yield* registerReply()).status).toBe(201)
      const limited = yield* registerReply()
      const body = expectError(limited, 429, "RATE_LIMITED")
      expect(body["retryAfterSeconds"] as number).toBeGreaterThan(0)
      expect(body["retryAfterSeconds"] as number).toBeLessThanOrEqual(3600)
    })
  )
})
