/**
 * No user enumeration: sign-in answers the same, byte for byte and in similar time, whether the
 * username exists or not, on every door that checks a password.
 */
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { TestMaster } from "../../src/testing/TestMaster.js"
import {
  approvedMachine,
  approvedUser,
  asAdmin,
  clientLoginReply,
  expectError,
  expectLogsFreeOfSecrets,
  loginReply,
  masterLayer,
  median,
  newMac,
  newMachineKey,
  newPassword,
  newUsername,
  registerUser,
  type Reply
} from "../fixtures.js"

/** What must be identical between two failure answers: status, code, body, content headers. */
const sameAnswer = (a: Reply, b: Reply, what: string) => {
  expect(b.status, what).toBe(a.status)
  expect(b.text, what).toBe(a.text)
  expect(b.headers["content-type"], what).toBe(a.headers["content-type"])
  expect(b.headers["content-length"], what).toBe(a.headers["content-length"])
  expect(b.headers["www-authenticate"], what).toBe(a.headers["www-authenticate"])
  expect(b.headers["retry-after"], what).toBe(a.headers["retry-after"])
}

layer(masterLayer(), { timeout: 120_000, excludeTestServices: true })("no user enumeration", (it) => {
  it.effect("answers an unknown username and a wrong password with the same 401 INVALID_CREDENTIALS body", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const unknown = yield* loginReply(newUsername(), newPassword())
      const wrong = yield* loginReply(account.username, newPassword())
      expectError(unknown, 401, "INVALID_CREDENTIALS")
      sameAnswer(unknown, wrong, "portal sign-in")
      const unknownZh = yield* loginReply(newUsername(), newPassword(), "portal", { "accept-language": "zh-CN" })
      const wrongZh = yield* loginReply(account.username, newPassword(), "portal", { "accept-language": "zh-CN" })
      expect((unknownZh.body as { message: string }).message).toBe("用户名或密码错误。")
      sameAnswer(unknownZh, wrongZh, "portal sign-in in Chinese")
    })
  )

  it.effect("answers the same for pending, rejected and disabled accounts with a wrong password", () =>
    Effect.gen(function* () {
      const unknown = yield* loginReply(newUsername(), newPassword())
      const pending = yield* registerUser()
      sameAnswer(unknown, yield* loginReply(pending.username, newPassword()), "pending account")
      const rejected = yield* registerUser()
      expect((yield* asAdmin("POST", `/api/v1/admin/users/${rejected.user.id}/reject`, { json: { reason: "unknown person" } })).status).toBe(200)
      sameAnswer(unknown, yield* loginReply(rejected.username, newPassword()), "rejected account")
      const disabled = yield* approvedUser()
      expect((yield* asAdmin("POST", `/api/v1/admin/users/${disabled.user.id}/disable`, { json: { reason: "left" } })).status).toBe(200)
      sameAnswer(unknown, yield* loginReply(disabled.username, newPassword()), "disabled account")
    })
  )

  it.effect("answers the same in the admin app for an unknown name, an admin's wrong password and a non-admin's wrong password", () =>
    Effect.gen(function* () {
      const master = yield* TestMaster
      const user = yield* approvedUser()
      const unknown = yield* loginReply(newUsername(), newPassword(), "admin")
      expectError(unknown, 401, "INVALID_CREDENTIALS")
      sameAnswer(unknown, yield* loginReply(master.admin.username, newPassword(), "admin"), "admin's wrong password")
      sameAnswer(unknown, yield* loginReply(user.username, newPassword(), "admin"), "non-admin's wrong password")
    })
  )

  it.effect("answers the same on client sign-in for an unknown user, a wrong password and an unapproved machine's wrong password", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const machine = yield* approvedMachine(account)
      const unknown = yield* clientLoginReply({ username: newUsername(), password: newPassword(), macs: [machine.mac], key: machine.key })
      expectError(unknown, 401, "INVALID_CREDENTIALS")
      const wrong = yield* clientLoginReply({ username: account.username, password: newPassword(), macs: [machine.mac], key: machine.key })
      sameAnswer(unknown, wrong, "client sign-in, approved machine")
      const strange = yield* clientLoginReply({ username: account.username, password: newPassword(), macs: [newMac()], key: newMachineKey() })
      sameAnswer(unknown, strange, "client sign-in, unknown machine")
    })
  )

  it.effect("takes similar time for an unknown username and a wrong password (medians of 10 within a factor of 3)", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      // warm both paths (first bcrypt, connection pool, JIT)
      for (let i = 0; i < 2; i++) {
        yield* loginReply(newUsername(), newPassword())
        yield* loginReply(account.username, newPassword())
      }
      const unknownMs: Array<number> = []
      const wrongMs: Array<number> = []
      for (let i = 0; i < 10; i++) {
        unknownMs.push((yield* loginReply(newUsername(), newPassword())).elapsedMs)
        wrongMs.push((yield* loginReply(account.username, newPassword())).elapsedMs)
      }
      const unknown = median(unknownMs)
      const wrong = median(wrongMs)
      const detail = `median unknown ${unknown.toFixed(1)} ms, wrong password ${wrong.toFixed(1)} ms`
      expect(Math.max(unknown, wrong) / Math.min(unknown, wrong), detail).toBeLessThan(3)
    }),
    60_000
  )

  it.effect("writes no password, token or hash to its log", () =>
    Effect.gen(function* () {
      const master = yield* TestMaster
      expect(master.logs.length).toBeGreaterThan(0)
      expectLogsFreeOfSecrets(master.logs)
    })
  )
})
