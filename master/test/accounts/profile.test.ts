/**
 * The user's own profile (read and update, with the org path) and password change, which checks
 * the current password, applies the policy and ends every session.
 */
import { expect, layer } from "@effect/vitest"
import { Profile } from "@ncod/core"
import { Effect } from "effect"
import {
  approvedUser,
  call,
  decode,
  expectError,
  issuePaths,
  type Json,
  login,
  loginReply,
  masterLayer,
  newPassword,
  obj,
  orgTree
} from "../fixtures.js"

layer(masterLayer(), { timeout: 120_000, excludeTestServices: true })("profile and password", (it) => {
  it.effect("shows the profile with the path from organization down to the user's department", () =>
    Effect.gen(function* () {
      const tree = yield* orgTree
      const account = yield* approvedUser()
      const profile = decode(Profile)(yield* call("GET", "/api/v1/me", { token: account.session.accessToken }))
      expect(profile.user.id).toBe(account.user.id)
      expect(profile.orgPath.map((unit) => unit.id)).toEqual([tree.organizationId, tree.companyId, tree.departmentId])
      expect(profile.orgPath.map((unit) => unit.kind)).toEqual(["organization", "company", "project_department"])
    })
  )

  it.effect("updates display name, email and phone, clears the phone with null, and leaves the rest alone", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const token = account.session.accessToken
      const updated = decode(Profile)(
        yield* call("PATCH", "/api/v1/me", { token, json: { displayName: "李四", email: "li.si@example.com", phone: "+86 10 8888 9999" } })
      )
      expect(updated.user.displayName).toBe("李四")
      expect(updated.user.email).toBe("li.si@example.com")
      expect(updated.user.phone).toBe("+86 10 8888 9999")
      expect(updated.user.username).toBe(account.username)
      expect(updated.user.status).toBe("approved")
      const cleared = decode(Profile)(yield* call("PATCH", "/api/v1/me", { token, json: { phone: null } }))
      expect(cleared.user.phone).toBeNull()
      expect(cleared.user.displayName).toBe("李四")
      const again = decode(Profile)(yield* call("GET", "/api/v1/me", { token }))
      expect(again.user.displayName).toBe("李四")
    })
  )

  it.effect("refuses invalid profile fields by path", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const token = account.session.accessToken
      expect(issuePaths(yield* call("PATCH", "/api/v1/me", { token, json: { displayName: "" } }))).toContain("displayName")
      expect(issuePaths(yield* call("PATCH", "/api/v1/me", { token, json: { email: "nope" } }))).toContain("email")
      expect(issuePaths(yield* call("PATCH", "/api/v1/me", { token, json: { phone: "abc" } }))).toContain("phone")
    })
  )

  it.effect("refuses a wrong current password with 401 INVALID_CREDENTIALS and keeps the old password", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const reply = yield* call("POST", "/api/v1/me/password", {
        token: account.session.accessToken,
        json: { currentPassword: newPassword(), newPassword: newPassword() }
      })
      expectError(reply, 401, "INVALID_CREDENTIALS")
      expect((yield* loginReply(account.username, account.password)).status).toBe(200)
      expect((yield* call("GET", "/api/v1/me", { token: account.session.accessToken })).status).toBe(200)
    })
  )

  it.effect("applies the password policy to the new password, with path newPassword", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const change = (password: string) =>
        call("POST", "/api/v1/me/password", { token: account.session.accessToken, json: { currentPassword: account.password, newPassword: password } })
      for (const password of ["short pw", "password1234", "123456789012", `${account.username}-${account.username}`, account.password, "x".repeat(129)]) {
        expect(issuePaths(yield* change(password)), password).toContain("newPassword")
      }
      expect((yield* loginReply(account.username, account.password)).status).toBe(200)
    })
  )

  it.effect("changes the password: old one refused, new one works, every earlier session and refresh token ends", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const other = yield* login(account.username, account.password)
      const next = newPassword()
      const reply = yield* call("POST", "/api/v1/me/password", {
        token: account.session.accessToken,
        json: { currentPassword: account.password, newPassword: next }
      })
      expect(reply.status, reply.text).toBe(204)
      expectError(yield* loginReply(account.username, account.password), 401, "INVALID_CREDENTIALS")
      for (const token of [account.session.accessToken, other.accessToken]) {
        expectError(yield* call("GET", "/api/v1/me", { token }), 401, "UNAUTHENTICATED")
      }
      for (const refreshToken of [account.session.refreshToken, other.refreshToken]) {
        expectError(yield* call("POST", "/api/v1/auth/refresh", { json: { refreshToken } }), 401, "UNAUTHENTICATED")
      }
      const fresh = yield* login(account.username, next)
      const profile = obj(yield* call("GET", "/api/v1/me", { token: fresh.accessToken }))
      expect((profile["user"] as Json)["id"]).toBe(account.user.id)
    })
  )
})
