/**
 * Machine binding and client sign-in: a password, one of the machine's MACs bound and approved for
 * that user, and an ES256 signature over a fresh single-use challenge with the key stored on that
 * binding. Admins included; portal and admin-app sign-ins have no machine check.
 */
import { calculateJwkThumbprint } from "jose"
import { expect, layer } from "@effect/vitest"
import { Machine, Tokens } from "@ncod/core"
import { Effect, Schema } from "effect"
import { TestMaster } from "../../src/testing/TestMaster.js"
import {
  adminMachines,
  approvedMachine,
  approvedUser,
  asAdmin,
  call,
  clientLoginReply,
  decode,
  expectError,
  freshChallenge,
  jwtClaims,
  login,
  masterLayer,
  newMac,
  newMachineKey,
  obj
} from "../fixtures.js"

const myMachines = (token: string) => Effect.map(call("GET", "/api/v1/me/machines", { token }), decode(Schema.Array(Machine)))

layer(masterLayer(), { timeout: 120_000, excludeTestServices: true })("machine binding and client sign-in", (it) => {
  it.effect("hands out single-use challenges that expire within minutes", () =>
    Effect.gen(function* () {
      const a = yield* freshChallenge
      const b = yield* freshChallenge
      expect(a.challenge).not.toBe(b.challenge)
      expect(a.challenge.length).toBeGreaterThanOrEqual(32)
      const expiresIn = Date.parse(a.expiresAt) - Date.now()
      expect(expiresIn).toBeGreaterThan(10_000)
      expect(expiresIn).toBeLessThanOrEqual(5 * 60_000)
    })
  )

  it.effect("turns an unknown MAC into a pending request naming the MAC, which the admin sees and approves in one step", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const key = newMachineKey()
      const mac = newMac()
      const first = yield* clientLoginReply({ username: account.username, password: account.password, macs: [mac.toUpperCase()], key, hostname: "lab-pc-07" })
      const body = expectError(first, 403, "MACHINE_PENDING")
      expect(body["mac"]).toBe(mac)
      expect(body["message"]).toContain(mac)
      const pending = (yield* adminMachines({ status: "pending" })).find((row) => row.machine.mac === mac)
      expect(pending).toBeDefined()
      expect(pending!.username).toBe(account.username)
      expect(pending!.displayName).toBe(account.displayName)
      expect(pending!.machine.userId).toBe(account.user.id)
      expect(pending!.machine.hostname).toBe("lab-pc-07")
      expect(pending!.machine.keyThumbprint).toBe(yield* Effect.promise(() => calculateJwkThumbprint({ ...key.publicJwk })))
      // the user sees the request too, but not as approved
      expect((yield* myMachines(account.session.accessToken)).map((m) => [m.mac, m.status])).toEqual([[mac, "pending"]])
      // still pending on a second try: no duplicate request
      expectError(yield* clientLoginReply({ username: account.username, password: account.password, macs: [mac], key }), 403, "MACHINE_PENDING")
      expect((yield* adminMachines({ userId: account.user.id })).length).toBe(1)

      const approved = decode(Machine)(yield* asAdmin("POST", `/api/v1/admin/machines/${pending!.machine.id}/approve`))
      expect(approved.status).toBe("approved")
      const tokens = decode(Tokens)(yield* clientLoginReply({ username: account.username, password: account.password, macs: [mac], key }))
      expect(jwtClaims(tokens.accessToken)["aud"]).toBe("client")
      expect((yield* call("GET", "/api/v1/me/machines", { token: tokens.accessToken })).status).toBe(200)
    })
  )

  it.effect("signs in when any one of several presented MACs is approved", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const machine = yield* approvedMachine(account)
      const reply = yield* clientLoginReply({ username: account.username, password: account.password, macs: [newMac(), machine.mac, newMac()], key: machine.key })
      expect(reply.status, reply.text).toBe(200)
    })
  )

  it.effect("refuses the approved MAC with another key: 403 MACHINE_UNTRUSTED", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const machine = yield* approvedMachine(account)
      const reply = yield* clientLoginReply({ username: account.username, password: account.password, macs: [machine.mac], key: newMachineKey() })
      expectError(reply, 403, "MACHINE_UNTRUSTED")
    })
  )

  it.effect("refuses the approved key's public half with a signature it did not make", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const machine = yield* approvedMachine(account)
      const thief = newMachineKey()
      const reply = yield* clientLoginReply({
        username: account.username,
        password: account.password,
        macs: [machine.mac],
        key: thief,
        publicKey: machine.key.publicJwk
      })
      expect([400, 401, 403], reply.text).toContain(reply.status)
      const { challenge } = yield* freshChallenge
      const otherText = yield* clientLoginReply({
        username: account.username,
        password: account.password,
        macs: [machine.mac],
        key: machine.key,
        challenge,
        signature: machine.key.sign(`${challenge}x`)
      })
      expect([400, 401, 403], otherText.text).toContain(otherText.status)
      const der = yield* clientLoginReply({
        username: account.username,
        password: account.password,
        macs: [machine.mac],
        key: machine.key,
        challenge,
        signature: "MEUCIQD" + "A".repeat(60)
      })
      expect([400, 401, 403], der.text).toContain(der.status)
    })
  )

  it.effect("spends a challenge once: replaying a successful sign-in's challenge and signature is refused", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const machine = yield* approvedMachine(account)
      const { challenge } = yield* freshChallenge
      const signature = machine.key.sign(challenge)
      const input = { username: account.username, password: account.password, macs: [machine.mac], key: machine.key, challenge, signature }
      expect((yield* clientLoginReply(input)).status).toBe(200)
      const replay = yield* clientLoginReply(input)
      expect([400, 401, 403], replay.text).toContain(replay.status)
      // a made-up challenge is refused the same way
      const madeUp = "A".repeat(43)
      const forged = yield* clientLoginReply({ ...input, challenge: madeUp, signature: machine.key.sign(madeUp) })
      expect([400, 401, 403], forged.text).toContain(forged.status)
    })
  )

  it.effect("answers MACHINE_REVOKED for a binding the admin revoked, and the client session ends", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const machine = yield* approvedMachine(account)
      const session = decode(Tokens)(yield* clientLoginReply({ username: account.username, password: account.password, macs: [machine.mac], key: machine.key }))
      const revoked = decode(Machine)(yield* asAdmin("POST", `/api/v1/admin/machines/${machine.machine.id}/revoke`))
      expect(revoked.status).toBe("revoked")
      const again = yield* clientLoginReply({ username: account.username, password: account.password, macs: [machine.mac], key: machine.key })
      expect(expectError(again, 403, "MACHINE_REVOKED")["mac"]).toBe(machine.mac)
      expectError(yield* call("GET", "/api/v1/me", { token: session.accessToken }), 401, "UNAUTHENTICATED")
      expectError(yield* call("POST", "/api/v1/auth/refresh", { json: { refreshToken: session.refreshToken } }), 401, "UNAUTHENTICATED")
    })
  )

  it.effect("lets users revoke their own machine, after which it answers MACHINE_REVOKED", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const machine = yield* approvedMachine(account)
      const revoked = decode(Machine)(yield* call("DELETE", `/api/v1/me/machines/${machine.machine.id}`, { token: account.session.accessToken }))
      expect(revoked.status).toBe("revoked")
      const again = yield* clientLoginReply({ username: account.username, password: account.password, macs: [machine.mac], key: machine.key })
      expectError(again, 403, "MACHINE_REVOKED")
    })
  )

  it.effect("binds a machine per user: another user's approved MAC is a new request for this one", () =>
    Effect.gen(function* () {
      const alice = yield* approvedUser()
      const bob = yield* approvedUser()
      const machine = yield* approvedMachine(alice)
      const reply = yield* clientLoginReply({ username: bob.username, password: bob.password, macs: [machine.mac], key: machine.key })
      expectError(reply, 403, "MACHINE_PENDING")
    })
  )

  it.effect("creates no request for a wrong password", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const mac = newMac()
      const reply = yield* clientLoginReply({ username: account.username, password: `${account.password}x`, macs: [mac], key: newMachineKey() })
      expectError(reply, 401, "INVALID_CREDENTIALS")
      expect((yield* adminMachines({ userId: account.user.id })).map((row) => row.machine.mac)).not.toContain(mac)
    })
  )

  it.effect("holds admins to the same machine rule on the client, but not in the portal or admin app", () =>
    Effect.gen(function* () {
      const master = yield* TestMaster
      const portal = yield* login(master.admin.username, master.admin.password, "portal")
      const adminApp = yield* login(master.admin.username, master.admin.password, "admin")
      expect(portal.accessToken.length).toBeGreaterThan(20)
      expect(adminApp.accessToken.length).toBeGreaterThan(20)
      const mac = newMac()
      const key = newMachineKey()
      const first = yield* clientLoginReply({ username: master.admin.username, password: master.admin.password, macs: [mac], key })
      expectError(first, 403, "MACHINE_PENDING")
      const request = (yield* adminMachines({ status: "pending", userId: portal.user.id })).find((row) => row.machine.mac === mac)!
      expect((yield* asAdmin("POST", `/api/v1/admin/machines/${request.machine.id}/approve`)).status).toBe(200)
      const tokens = yield* clientLoginReply({ username: master.admin.username, password: master.admin.password, macs: [mac], key })
      expect(tokens.status, tokens.text).toBe(200)
      expect(jwtClaims(obj(tokens)["accessToken"] as string)["aud"]).toBe("client")
    })
  )
})
