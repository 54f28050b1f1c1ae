/**
 * Login rate limiting and temporary lockout, per account and per source address, in process and
 * (when REDIS_URL is set) shared through Redis by every master.
 */
import { describe, expect, it as plainIt, layer } from "@effect/vitest"
import { tlsHttpClientLayer } from "@ncod/core/node"
import { Effect, Layer } from "effect"
import { makeTestMaster, TestMaster, type TestMasterInfo } from "../../src/testing/TestMaster.js"
import {
  approvedMachine,
  approvedUser,
  call,
  clientLoginReply,
  expectError,
  expectLogsFreeOfSecrets,
  type Json,
  login,
  loginReply,
  masterLayer,
  newPassword,
  newUsername,
  type Reply,
  sleepMs,
  unique
} from "../fixtures.js"

const lockoutSeconds = 4

/** A 429 TOO_MANY_ATTEMPTS with a sane retryAfterSeconds (the header has a test of its own). */
const expectLocked = (reply: Reply, what: string) => {
  const body = expectError(reply, 429, "TOO_MANY_ATTEMPTS")
  const retryAfter = body["retryAfterSeconds"] as number
  expect(Number.isInteger(retryAfter), what).toBe(true)
  expect(retryAfter, what).toBeGreaterThanOrEqual(1)
  expect(retryAfter, what).toBeLessThanOrEqual(lockoutSeconds)
  return retryAfter
}

const failTimes = (username: string, times: number) =>
  Effect.gen(function* () {
    const replies: Array<Reply> = []
    for (let i = 0; i < times; i++) replies.push(yield* loginReply(username, newPassword()))
    return replies
  })

layer(
  masterLayer({ NCOD_LOGIN_MAX_FAILURES: "3", NCOD_LOGIN_IP_MAX_FAILURES: "10000", NCOD_LOGIN_LOCKOUT_SECONDS: String(lockoutSeconds) }),
  { timeout: 120_000, excludeTestServices: true }
)("per-account lockout (3 failures, 4 s)", (it) => {
  it.effect("locks an account after three failures and then refuses even the right password with 429", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      for (const reply of yield* failTimes(account.username, 3)) expectError(reply, 401, "INVALID_CREDENTIALS")
      expectLocked(yield* loginReply(account.username, newPassword()), "a fourth wrong password")
      expectLocked(yield* loginReply(account.username, account.password), "the right password while locked")
      const zh = yield* loginReply(account.username, account.password, "portal", { "accept-language": "zh" })
      expectLocked(zh, "in Chinese")
      expect((zh.body as Json)["message"]).toMatch(/秒/)
    })
  )

  it.effect("sends a Retry-After header equal to retryAfterSeconds with the 429", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      yield* failTimes(account.username, 3)
      const locked = yield* loginReply(account.username, account.password)
      const retryAfter = expectLocked(locked, "locked")
      expect(locked.headers["retry-after"], "Retry-After header").toBe(String(retryAfter))
    })
  )

  it.effect("lets the account in again once the lockout is over", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      yield* failTimes(account.username, 3)
      const retryAfter = expectLocked(yield* loginReply(account.username, account.password), "locked")
      yield* sleepMs((retryAfter + 1) * 1000)
      const again = yield* loginReply(account.username, account.password)
      expect(again.status, again.text).toBe(200)
    }),
    20_000
  )

  it.effect("locks an unknown username after the same number of failures, with the same answer (no enumeration by lockout)", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const ghost = newUsername()
      const real = yield* failTimes(account.username, 4)
      const fake = yield* failTimes(ghost, 4)
      expect(fake.map((r) => r.status)).toEqual(real.map((r) => r.status))
      expect(fake[3]!.status).toBe(429)
      expect((fake[3]!.body as Json)["code"]).toBe((real[3]!.body as Json)["code"])
    })
  )

  it.effect("keeps other accounts usable while one is locked", () =>
    Effect.gen(function* () {
      const locked = yield* approvedUser()
      const other = yield* approvedUser()
      yield* failTimes(locked.username, 3)
      expectLocked(yield* loginReply(locked.username, locked.password), "the locked account")
      const fine = yield* loginReply(other.username, other.password)
      expect(fine.status, fine.text).toBe(200)
    })
  )

  it.effect("counts admin-app and client sign-in failures toward the same account lockout", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const machine = yield* approvedMachine(account)
      expectError(yield* loginReply(account.username, newPassword(), "admin"), 401, "INVALID_CREDENTIALS")
      const client = yield* clientLoginReply({ username: account.username, password: newPassword(), macs: [machine.mac], key: machine.key })
      expectError(client, 401, "INVALID_CREDENTIALS")
      expectError(yield* loginReply(account.username, newPassword()), 401, "INVALID_CREDENTIALS")
      expectLocked(yield* loginReply(account.username, account.password), "portal after mixed failures")
      const clientLocked = yield* clientLoginReply({ username: account.username, password: account.password, macs: [machine.mac], key: machine.key })
      expectLocked(clientLocked, "client sign-in while locked")
    })
  )

  it.effect("limits wrong current passwords on password change too", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const session = account.session
      const change = (currentPassword: string) =>
        call("POST", "/api/v1/me/password", { token: session.accessToken, json: { currentPassword, newPassword: newPassword() } })
      for (let i = 0; i < 3; i++) expectError(yield* change(newPassword()), 401, "INVALID_CREDENTIALS")
      expectLocked(yield* change(account.password), "the right current password after three wrong ones")
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

layer(
  masterLayer({ NCOD_LOGIN_MAX_FAILURES: "100", NCOD_LOGIN_IP_MAX_FAILURES: "6", NCOD_LOGIN_LOCKOUT_SECONDS: String(lockoutSeconds) }),
  { timeout: 120_000, excludeTestServices: true }
)("per-address lockout (6 failures, 4 s)", (it) => {
  it.effect("locks the source address after failures spread over many usernames, even for an untouched account's right password", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      for (let i = 0; i < 6; i++) expectError(yield* loginReply(newUsername(), newPassword()), 401, "INVALID_CREDENTIALS")
      expectLocked(yield* loginReply(account.username, account.password), "an untouched account from a locked address")
      yield* sleepMs((lockoutSeconds + 1) * 1000)
      expect((yield* loginReply(account.username, account.password)).status).toBe(200)
    }),
    30_000
  )

  it.effect("does not let a spoofed X-Forwarded-For spread the failures over made-up addresses", () =>
    Effect.gen(function* () {
      // whatever the test before left behind has expired by then
      yield* sleepMs((lockoutSeconds + 1) * 1000)
      const account = yield* approvedUser()
      for (let i = 0; i < 6; i++) {
        const spoofed = { "x-forwarded-for": `203.0.113.${i + 1}`, "x-real-ip": `198.51.100.${i + 1}`, forwarded: `for=192.0.2.${i + 1}` }
        yield* loginReply(newUsername(), newPassword(), "portal", spoofed)
      }
      expectLocked(yield* loginReply(account.username, account.password), "after failures with spoofed forwarding headers")
    }),
    30_000
  )
})

const redisUrl = process.env["REDIS_URL"]
if (!redisUrl) console.log("[not run] login limits shared through Redis: REDIS_URL is not set")

/** Runs an effect against another master (its own URL and CA). */
const on = (master: TestMasterInfo) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.provide(effect, Layer.merge(Layer.succeed(TestMaster, master), tlsHttpClientLayer(master.ca)))

describe.runIf(redisUrl)("login limits shared through Redis", () => {
  plainIt.scopedLive("a per-account lockout earned on one master holds on another master sharing the Redis", () =>
    Effect.gen(function* () {
      const settings = { REDIS_URL: redisUrl!, NCOD_REDIS_PREFIX: `${unique("ncod-test-shared-")}:`, NCOD_LOGIN_MAX_FAILURES: "3", NCOD_LOGIN_IP_MAX_FAILURES: "10000", NCOD_LOGIN_LOCKOUT_SECONDS: "5" }
      const a = yield* makeTestMaster(settings)
      const b = yield* makeTestMaster(settings)
      // an unknown name: the two masters have separate databases, so only the name is common to both
      const ghost = newUsername()
      for (let i = 0; i < 3; i++) yield* on(a)(loginReply(ghost, newPassword()))
      expectError(yield* on(b)(loginReply(ghost, newPassword())), 429, "TOO_MANY_ATTEMPTS")
      // the lock is the account's, not the address's: another account still signs in on both
      expect((yield* on(b)(login(b.admin.username, b.admin.password))).accessToken.length).toBeGreaterThan(20)
      expect((yield* on(a)(login(a.admin.username, a.admin.password))).accessToken.length).toBeGreaterThan(20)
    }),
    90_000
  )

  plainIt.scopedLive("a per-address lockout earned on one master holds on another master sharing the Redis", () =>
    Effect.gen(function* () {
      const settings = { REDIS_URL: redisUrl!, NCOD_REDIS_PREFIX: `${unique("ncod-test-shared-")}:`, NCOD_LOGIN_MAX_FAILURES: "100", NCOD_LOGIN_IP_MAX_FAILURES: "4", NCOD_LOGIN_LOCKOUT_SECONDS: "5" }
      const a = yield* makeTestMaster(settings)
      const b = yield* makeTestMaster(settings)
      for (let i = 0; i < 4; i++) yield* on(a)(loginReply(newUsername(), newPassword()))
      expectError(yield* on(b)(loginReply(b.admin.username, b.admin.password)), 429, "TOO_MANY_ATTEMPTS")
      yield* sleepMs(6_000)
      expect((yield* on(b)(loginReply(b.admin.username, b.admin.password))).status).toBe(200)
    }),
    90_000
  )
})
