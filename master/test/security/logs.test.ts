/**
 * Logs never contain passwords, tokens or hashes: one master at debug level runs every
 * security-relevant action, then its captured log lines are searched for each secret used. With
 * DATABASE_URL set, the stored credentials are checked too: bcrypt hashes, hashed refresh tokens.
 */
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import pg from "pg"
import { TestMaster } from "../../src/testing/TestMaster.js"
import {
  adminSession,
  approvedMachine,
  approvedUser,
  asAdmin,
  call,
  clientLoginReply,
  expectLogsFreeOfSecrets,
  type Json,
  login,
  loginReply,
  masterLayer,
  newPassword,
  obj,
  registerUser,
  secretsSeen
} from "../fixtures.js"

const ownDatabase = Effect.promise(async () => {
  const base = process.env["DATABASE_URL"]
  if (!base) return undefined
  const client = new pg.Client({ connectionString: base })
  await client.connect()
  try {
    const rows = await client.query<{ datname: string }>("select datname from pg_database where datname like $1", [`ncod_test_${process.pid}_%`])
    if (rows.rows.length !== 1) return undefined
    const url = new URL(base)
    url.pathname = `/${rows.rows[0]!.datname}`
    return url.toString()
  } finally {
    await client.end()
  }
})

const query = <R extends pg.QueryResultRow>(url: string, text: string) =>
  Effect.promise(async () => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      return (await client.query<R>(text)).rows
    } finally {
      await client.end()
    }
  })

layer(masterLayer({ NCOD_LOG_LEVEL: "debug", NCOD_LOGIN_MAX_FAILURES: "3", NCOD_LOGIN_LOCKOUT_SECONDS: "2" }), {
  timeout: 120_000,
  excludeTestServices: true
})("secrets stay out of the logs", (it) => {
  it.effect("runs every security-relevant action once", () =>
    Effect.gen(function* () {
      const master = yield* TestMaster
      yield* adminSession
      // register, approve, reject, disable, enable, role changes
      const alice = yield* approvedUser()
      const rejected = yield* registerUser()
      expect((yield* asAdmin("POST", `/api/v1/admin/users/${rejected.user.id}/reject`, { json: { reason: "unknown" } })).status).toBe(200)
      expect((yield* asAdmin("POST", `/api/v1/admin/users/${alice.user.id}/disable`, { json: { reason: "audit" } })).status).toBe(200)
      expect((yield* asAdmin("POST", `/api/v1/admin/users/${alice.user.id}/enable`)).status).toBe(200)
      expect((yield* asAdmin("PUT", `/api/v1/admin/users/${alice.user.id}/role`, { json: { role: "admin" } })).status).toBe(200)
      yield* login(alice.username, alice.password, "admin")
      expect((yield* asAdmin("PUT", `/api/v1/admin/users/${alice.user.id}/role`, { json: { role: "user" } })).status).toBe(200)
      // sign-ins, refresh, refresh reuse, logout, password change
      const session = yield* login(alice.username, alice.password)
      const rotated = obj(yield* call("POST", "/api/v1/auth/refresh", { json: { refreshToken: session.refreshToken } }))
      expect((yield* call("POST", "/api/v1/auth/refresh", { json: { refreshToken: session.refreshToken } })).status).toBe(401)
      const second = yield* login(alice.username, alice.password)
      expect((yield* call("POST", "/api/v1/auth/logout", { token: second.accessToken, json: { refreshToken: second.refreshToken } })).status).toBe(204)
      const third = yield* login(alice.username, alice.password)
      const changedPassword = newPassword()
      expect(
        (yield* call("POST", "/api/v1/me/password", { token: third.accessToken, json: { currentPassword: alice.password, newPassword: changedPassword } }))
          .status
      ).toBe(204)
      // machines: request, approve, client sign-in, revoke
      const account = { ...alice, password: changedPassword }
      const machine = yield* approvedMachine(account)
      const client = yield* clientLoginReply({ username: account.username, password: account.password, macs: [machine.mac], key: machine.key })
      expect(client.status, client.text).toBe(200)
      expect((yield* asAdmin("POST", `/api/v1/admin/machines/${machine.machine.id}/revoke`)).status).toBe(200)
      // failures and a lockout, with a password that looks like a token
      for (let i = 0; i < 4; i++) yield* loginReply(master.admin.username, `${newPassword()}.eyJ${i}`)
      expect(Object.keys(rotated)).toContain("refreshToken")
    }),
    60_000
  )

  it.effect("leaves no password, access token, refresh token or bcrypt hash in any log line", () =>
    Effect.gen(function* () {
      const master = yield* TestMaster
      // the capture works and saw the actions (audit lines at least)
      expect(master.logs.length).toBeGreaterThan(20)
      expect(master.logs.some((line) => line.includes("auth.login"))).toBe(true)
      expect(secretsSeen().length).toBeGreaterThan(15)
      expectLogsFreeOfSecrets(master.logs, [master.admin.password])
      // and no Authorization header or challenge signature either
      for (const line of master.logs) {
        expect(line.toLowerCase()).not.toContain("bearer ey")
        expect(line).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{20,}/)
      }
    })
  )

  it.effect("stores passwords as bcrypt hashes and refresh tokens only as hashes", () =>
    Effect.gen(function* () {
      const url = yield* ownDatabase
      if (url === undefined) {
        console.log("[not run] stored-credential check: DATABASE_URL is not set")
        return
      }
      const hashes = yield* query<{ password_hash: string }>(url, "select password_hash from users")
      expect(hashes.length).toBeGreaterThan(2)
      for (const { password_hash } of hashes) expect(password_hash).toMatch(/^\$2[aby]\$1[0-5]\$[./A-Za-z0-9]{53}$/)
      const stored = JSON.stringify(yield* query<Json>(url, "select * from refresh_tokens"))
      const audit = JSON.stringify(yield* query<Json>(url, "select * from audit_log"))
      for (const secret of secretsSeen()) {
        expect(stored.includes(secret), "a refresh token or password stored in clear").toBe(false)
        expect(audit.includes(secret), "a secret in the audit log").toBe(false)
      }
      expect(audit).not.toMatch(/\$2[aby]\$\d\d\$/)
    })
  )
})
