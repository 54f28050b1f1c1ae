/**
 * Sessions: rotating refresh tokens with reuse detection (a replayed token revokes the whole
 * family), logout, and the audiences each sign-in gives.
 */
import { expect, layer } from "@effect/vitest"
import { Tokens } from "@ncod/core"
import { Effect } from "effect"
import { TestMaster } from "../../src/testing/TestMaster.js"
import {
  approvedMachine,
  approvedUser,
  call,
  clientLoginReply,
  decode,
  expectError,
  jwtClaims,
  login,
  masterLayer
} from "../fixtures.js"

const refresh = (refreshToken: string) => call("POST", "/api/v1/auth/refresh", { json: { refreshToken } })

layer(masterLayer(), { timeout: 120_000, excludeTestServices: true })("sessions", (it) => {
  it.effect("rotates the refresh token on every use and keeps the audience", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const first = decode(Tokens)(yield* refresh(account.session.refreshToken))
      expect(first.refreshToken).not.toBe(account.session.refreshToken)
      expect(first.accessToken).not.toBe(account.session.accessToken)
      expect(jwtClaims(first.accessToken)["aud"]).toBe("portal")
      const second = decode(Tokens)(yield* refresh(first.refreshToken))
      expect(second.refreshToken).not.toBe(first.refreshToken)
      expect((yield* call("GET", "/api/v1/me", { token: second.accessToken })).status).toBe(200)
    })
  )

  it.effect("revokes the whole family when a used refresh token comes back: the newest one stops working too", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const rotated = decode(Tokens)(yield* refresh(account.session.refreshToken))
      expectError(yield* refresh(account.session.refreshToken), 401, "UNAUTHENTICATED")
      expectError(yield* refresh(rotated.refreshToken), 401, "UNAUTHENTICATED")
      // another sign-in of the same user is a different family and goes on
      const other = yield* login(account.username, account.password)
      expect((yield* refresh(other.refreshToken)).status).toBe(200)
    })
  )

  it.effect("ends the session on logout: its refresh token and the access token presented are refused", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const out = yield* call("POST", "/api/v1/auth/logout", { token: account.session.accessToken, json: { refreshToken: account.session.refreshToken } })
      expect(out.status, out.text).toBe(204)
      expectError(yield* refresh(account.session.refreshToken), 401, "UNAUTHENTICATED")
      expectError(yield* call("GET", "/api/v1/me", { token: account.session.accessToken }), 401, "UNAUTHENTICATED")
      expect((yield* login(account.username, account.password)).accessToken.length).toBeGreaterThan(20)
    })
  )

  it.effect("refuses unknown and malformed refresh tokens with 401 or 400, never 500", () =>
    Effect.gen(function* () {
      expectError(yield* refresh("x".repeat(43)), 401, "UNAUTHENTICATED")
      expectError(yield* refresh(""), [400, 401], ["VALIDATION_FAILED", "UNAUTHENTICATED"])
      expectError(yield* refresh("x".repeat(201)), 400, "VALIDATION_FAILED")
    })
  )

  it.effect("gives portal, admin and client tokens their own audience, and the admin app to admins only", () =>
    Effect.gen(function* () {
      const master = yield* TestMaster
      const admin = yield* login(master.admin.username, master.admin.password, "admin")
      expect(jwtClaims(admin.accessToken)["aud"]).toBe("admin")
      const portal = yield* login(master.admin.username, master.admin.password, "portal")
      expect(jwtClaims(portal.accessToken)["aud"]).toBe("portal")
      const account = yield* approvedUser()
      const forbidden = yield* call("POST", "/api/v1/auth/login", { json: { username: account.username, password: account.password, audience: "admin" } })
      expectError(forbidden, 403, "FORBIDDEN")
      expectError(yield* call("POST", "/api/v1/auth/login", { json: { username: account.username, password: account.password, audience: "client" } }), 400, "VALIDATION_FAILED")
      const machine = yield* approvedMachine(account)
      const client = decode(Tokens)(yield* clientLoginReply({ username: account.username, password: account.password, macs: [machine.mac], key: machine.key }))
      expect(jwtClaims(client.accessToken)["aud"]).toBe("client")
      const renewed = decode(Tokens)(yield* refresh(client.refreshToken))
      expect(jwtClaims(renewed.accessToken)["aud"]).toBe("client")
    })
  )

  it.effect("does not let an admin's client or portal token open admin routes", () =>
    Effect.gen(function* () {
      const master = yield* TestMaster
      const admin = { username: master.admin.username, password: master.admin.password, user: (yield* login(master.admin.username, master.admin.password)).user }
      const machine = yield* approvedMachine(admin)
      const client = decode(Tokens)(yield* clientLoginReply({ username: admin.username, password: admin.password, macs: [machine.mac], key: machine.key }))
      expectError(yield* call("GET", "/api/v1/admin/users", { token: client.accessToken }), [401, 403], ["UNAUTHENTICATED", "FORBIDDEN"])
    })
  )
})
