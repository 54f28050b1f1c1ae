/**
 * The audit log: every security-relevant action leaves an event saying who, what, on what, from
 * where and how it ended. Each test takes the log's newest events before and after one action and
 * looks at what appeared.
 */
import { expect, layer } from "@effect/vitest"
import { AuditEvent } from "@ncod/core"
import { Effect, Schema } from "effect"
import { TestMaster } from "../../src/testing/TestMaster.js"
import {
  adminSession,
  approvedMachine,
  approvedUser,
  asAdmin,
  call,
  decode,
  type Env,
  expectLogsFreeOfSecrets,
  login,
  loginReply,
  masterLayer,
  newPassword,
  newUsername,
  registerUser,
  secretsSeen
} from "../fixtures.js"

const AuditPage = Schema.Struct({ items: Schema.Array(AuditEvent), nextCursor: Schema.NullOr(Schema.String) })
type Event = AuditEvent

const latest = Effect.map(asAdmin("GET", "/api/v1/admin/audit", { query: { limit: "200" } }), decode(AuditPage))

/** Runs the action and returns the audit events it added (the admin's own reads add none). */
const eventsOf = <A, E>(action: Effect.Effect<A, E, Env>) =>
  Effect.gen(function* () {
    yield* adminSession
    const before = new Set((yield* latest).items.map((event) => event.id))
    const result = yield* action
    const added = (yield* latest).items.filter((event) => !before.has(event.id))
    return { result, added }
  })

const find = (events: ReadonlyArray<Event>, action: RegExp, result?: Event["result"]) => {
  const found = events.find((event) => action.test(event.action) && (result === undefined || event.result === result))
  expect(found, `no ${action} ${result ?? ""} event among ${JSON.stringify(events.map((e) => [e.action, e.result]))}`).toBeDefined()
  return found!
}

const fromLoopback = (event: Event) => expect(event.sourceIp).toMatch(/^(127\.0\.0\.1|::1)$/)

layer(masterLayer({ NCOD_LOGIN_MAX_FAILURES: "3", NCOD_LOGIN_LOCKOUT_SECONDS: "2" }), { timeout: 120_000, excludeTestServices: true })("audit log", (it) => {
  it.effect("records a registration with the new user as actor and target", () =>
    Effect.gen(function* () {
      const { added, result } = yield* eventsOf(registerUser())
      const event = find(added, /regist/, "success")
      expect(event.targetId).toBe(result.user.id)
      expect(event.actorName).toBe(result.username)
      fromLoopback(event)
    })
  )

  it.effect("records sign-in success and failure, naming the account tried and the audience", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const ok = yield* eventsOf(login(account.username, account.password))
      const success = find(ok.added, /login/, "success")
      expect(success.actorId).toBe(account.user.id)
      expect(success.actorName).toBe(account.username)
      expect(success.details["audience"]).toBe("portal")
      fromLoopback(success)
      const bad = yield* eventsOf(loginReply(account.username, newPassword()))
      const failure = find(bad.added, /login/, "failed")
      expect(failure.actorName).toBe(account.username)
      fromLoopback(failure)
      const ghost = newUsername()
      const unknown = yield* eventsOf(loginReply(ghost, newPassword()))
      expect(find(unknown.added, /login/, "failed").actorName).toBe(ghost)
    })
  )

  it.effect("records a lockout and the sign-ins refused while locked", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const { added } = yield* eventsOf(
        Effect.gen(function* () {
          for (let i = 0; i < 3; i++) yield* loginReply(account.username, newPassword())
          yield* loginReply(account.username, account.password)
        })
      )
      const lockout = find(added, /lock/)
      expect(JSON.stringify(lockout)).toContain(account.username)
      const refused = added.filter((event) => /login/.test(event.action) && event.result === "denied")
      expect(refused.length).toBeGreaterThanOrEqual(1)
    })
  )

  it.effect("records approve, reject, disable, enable and role changes with the admin as actor and the reason", () =>
    Effect.gen(function* () {
      const admin = yield* adminSession
      const a = yield* registerUser()
      const b = yield* registerUser()
      const steps: Array<[RegExp, Effect.Effect<unknown, never, Env>, string, string | undefined]> = [
        [/approve/, asAdmin("POST", `/api/v1/admin/users/${a.user.id}/approve`), a.user.id, undefined],
        [/reject/, asAdmin("POST", `/api/v1/admin/users/${b.user.id}/reject`, { json: { reason: "Unknown person" } }), b.user.id, "Unknown person"],
        [/disable/, asAdmin("POST", `/api/v1/admin/users/${a.user.id}/disable`, { json: { reason: "Left" } }), a.user.id, "Left"],
        [/enable/, asAdmin("POST", `/api/v1/admin/users/${a.user.id}/enable`), a.user.id, undefined],
        [/role/, asAdmin("PUT", `/api/v1/admin/users/${a.user.id}/role`, { json: { role: "admin" } }), a.user.id, undefined]
      ]
      for (const [action, step, target, reason] of steps) {
        const { added } = yield* eventsOf(step)
        const event = find(added, action, "success")
        expect(event.actorId).toBe(admin.user.id)
        expect(event.actorKind).toBe("admin")
        expect(event.targetId).toBe(target)
        if (reason !== undefined) expect(JSON.stringify(event.details)).toContain(reason)
        fromLoopback(event)
      }
    })
  )

  it.effect("records machine request, approval and revocation", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const { added, result } = yield* eventsOf(approvedMachine(account))
      const request = find(added, /machine.*request|request.*machine/, "success")
      expect(request.actorId).toBe(account.user.id)
      expect(request.details["mac"]).toBe(result.mac)
      expect(find(added, /machine.*approve/, "success").targetId).toBe(result.machine.id)
      const revoke = yield* eventsOf(asAdmin("POST", `/api/v1/admin/machines/${result.machine.id}/revoke`))
      expect(find(revoke.added, /machine.*revoke/, "success").targetId).toBe(result.machine.id)
    })
  )

  it.effect("records password changes, logouts and refresh-token reuse", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const change = yield* eventsOf(
        call("POST", "/api/v1/me/password", { token: account.session.accessToken, json: { currentPassword: account.password, newPassword: newPassword() } })
      )
      expect(find(change.added, /password/, "success").actorId).toBe(account.user.id)
      const other = yield* approvedUser()
      const logout = yield* eventsOf(call("POST", "/api/v1/auth/logout", { token: other.session.accessToken, json: { refreshToken: other.session.refreshToken } }))
      expect(find(logout.added, /logout/, "success").actorId).toBe(other.user.id)
      const third = yield* approvedUser()
      yield* call("POST", "/api/v1/auth/refresh", { json: { refreshToken: third.session.refreshToken } })
      const reuse = yield* eventsOf(call("POST", "/api/v1/auth/refresh", { json: { refreshToken: third.session.refreshToken } }))
      const event = find(reuse.added, /reuse/)
      expect(event.targetId ?? event.actorId).toBe(third.user.id)
      fromLoopback(event)
    })
  )

  it.effect("filters by action, actor and result, newest first", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      yield* loginReply(account.username, newPassword())
      const failed = decode(AuditPage)(yield* asAdmin("GET", "/api/v1/admin/audit", { query: { result: "failed", limit: "50" } }))
      expect(failed.items.length).toBeGreaterThan(0)
      expect(failed.items.every((event) => event.result === "failed")).toBe(true)
      const mine = decode(AuditPage)(yield* asAdmin("GET", "/api/v1/admin/audit", { query: { actor: account.username, limit: "50" } }))
      expect(mine.items.length).toBeGreaterThan(0)
      expect(mine.items.every((event) => event.actorName === account.username || event.actorId === account.user.id)).toBe(true)
      const times = (yield* latest).items.map((event) => event.at.epochMillis)
      expect([...times].sort((x, y) => y - x)).toEqual(times)
    })
  )

  it.effect("pages through the log with the cursor without repeating an event", () =>
    Effect.gen(function* () {
      const first = decode(AuditPage)(yield* asAdmin("GET", "/api/v1/admin/audit", { query: { limit: "5" } }))
      expect(first.items.length).toBe(5)
      expect(first.nextCursor).not.toBeNull()
      const second = decode(AuditPage)(yield* asAdmin("GET", "/api/v1/admin/audit", { query: { limit: "5", cursor: first.nextCursor! } }))
      const ids = new Set(first.items.map((event) => event.id))
      expect(second.items.some((event) => ids.has(event.id))).toBe(false)
      expect(second.items[0]!.at.epochMillis).toBeLessThanOrEqual(first.items[4]!.at.epochMillis)
    })
  )

  it.effect("keeps passwords, tokens and hashes out of the audit log and the master's log", () =>
    Effect.gen(function* () {
      const master = yield* TestMaster
      const all = JSON.stringify((yield* latest).items)
      expect(all).not.toMatch(/\$2[aby]?\$\d\d\$/)
      for (const secret of secretsSeen()) expect(all.includes(secret)).toBe(false)
      expectLogsFreeOfSecrets(master.logs)
    })
  )
})
