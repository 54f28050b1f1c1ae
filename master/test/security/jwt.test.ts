/**
 * JWT attacks against the master's bearer tokens. Forged tokens start from a real access token's
 * header and claims and change one thing; a positive control proves an unchanged re-signed token
 * is accepted, so every 401 below is about the one thing changed. Then what the application adds
 * on top: slave credentials and user tokens never open each other's doors (HTTP routes and the
 * slave's grants link), and the live events RPC checks its token like any route.
 */
import { expect, layer } from "@effect/vitest"
import { type LiveEvent, type SlaveLinkMessage } from "@ncod/core"
import { liveEventsClient, slaveLinkClient } from "@ncod/core/node"
import { Duration, Effect, Stream } from "effect"
import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { TestMaster } from "../../src/testing/TestMaster.js"
import {
  adminSession,
  approvedUser,
  asAdmin,
  call,
  expectError,
  expectLogsFreeOfSecrets,
  type Json,
  jwtClaims,
  jwtHeader,
  login,
  masterLayer,
  newPassword,
  rememberSecret,
  sleepMs
} from "../fixtures.js"
import { clientMember, enrolledSlave, grant, newDepartment, reportBody, sampleDevices } from "../fleet.js"

const b64 = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url")

const es256 = (key: KeyObject) => (data: string) => sign("sha256", Buffer.from(data), { key, dsaEncoding: "ieee-p1363" }).toString("base64url")

/** A compact JWS over exactly the header and claims given. */
const forge = (header: Json, claims: Json, signer: (data: string) => string) => {
  const input = `${b64(header)}.${b64(claims)}`
  const token = `${input}.${signer(input)}`
  rememberSecret(token)
  return token
}

const serverKeys = Effect.map(TestMaster, (master) => {
  const signing = JSON.parse(fs.readFileSync(path.join(master.keysDir, "jwt-signing.jwk.json"), "utf8")) as Json
  const verifyText = fs.readFileSync(path.join(master.keysDir, "jwt-verify.jwk.json"), "utf8")
  const verify = JSON.parse(verifyText) as Json
  const privateKey = createPrivateKey({ key: signing as never, format: "jwk" })
  const publicKey = createPublicKey({ key: verify as never, format: "jwk" })
  return { signing, verify, verifyText, privateKey, publicKey, kid: signing["kid"] as string }
})

const now = () => Math.floor(Date.now() / 1000)

/** GET /api/v1/me with a bearer token. */
const me = (token: string) => call("GET", "/api/v1/me", { token })

const expect401 = (token: string, what: string) =>
  Effect.gen(function* () {
    const reply = yield* me(token)
    expect(reply.status, `${what}: ${reply.text.slice(0, 200)}`).toBe(401)
    expect((reply.body as Json)["code"], what).toBe("UNAUTHENTICATED")
  })

/** A real portal token of an approved user, decoded. */
const realToken = Effect.gen(function* () {
  const account = yield* approvedUser()
  const token = account.session.accessToken
  return { account, token, header: jwtHeader(token), claims: jwtClaims(token) }
})

layer(masterLayer(), { timeout: 120_000, excludeTestServices: true })("JWT attacks", (it) => {
  it.effect("issues ES256 access tokens with a kid, issuer ncod, the audience asked for and a short life", () =>
    Effect.gen(function* () {
      const { claims, header, token } = yield* realToken
      const keys = yield* serverKeys
      expect(header["alg"]).toBe("ES256")
      expect(header["kid"]).toBe(keys.kid)
      expect(claims["iss"]).toBe("ncod")
      expect(claims["aud"] === "portal" || (Array.isArray(claims["aud"]) && claims["aud"].length === 1 && claims["aud"][0] === "portal")).toBe(true)
      expect(typeof claims["sub"]).toBe("string")
      const lifetime = (claims["exp"] as number) - (claims["iat"] as number)
      expect(lifetime).toBeGreaterThan(0)
      expect(lifetime).toBeLessThanOrEqual(15 * 60)
      expect((yield* me(token)).status).toBe(200)
    })
  )

  it.effect("accepts an unchanged token re-signed with the server's key (the control for every forgery below)", () =>
    Effect.gen(function* () {
      const { claims, header } = yield* realToken
      const keys = yield* serverKeys
      const reply = yield* me(forge(header, claims, es256(keys.privateKey)))
      expect(reply.status, reply.text).toBe(200)
    })
  )

  it.effect("rejects alg none and None with 401", () =>
    Effect.gen(function* () {
      const { claims, header } = yield* realToken
      for (const alg of ["none", "None", "NONE", "nOnE"]) {
        yield* expect401(`${b64({ ...header, alg })}.${b64(claims)}.`, `alg ${alg}`)
        yield* expect401(`${b64({ ...header, alg })}.${b64(claims)}`, `alg ${alg} without the trailing dot`)
      }
    })
  )

  it.effect("rejects a tampered payload and a stripped signature with 401", () =>
    Effect.gen(function* () {
      const { claims, token } = yield* realToken
      const master = yield* TestMaster
      const admin = yield* login(master.admin.username, master.admin.password, "portal")
      const [h, , s] = token.split(".")
      const adminSub = jwtClaims(admin.accessToken)["sub"]
      yield* expect401(`${h}.${b64({ ...claims, sub: adminSub })}.${s}`, "sub swapped to the admin's")
      yield* expect401(`${h}.${b64({ ...claims, aud: "admin" })}.${s}`, "aud swapped to admin")
      yield* expect401(`${h}.${b64({ ...claims, exp: (claims["exp"] as number) + 86_400 })}.${s}`, "exp extended")
      yield* expect401(`${h}.${token.split(".")[1]}.`, "signature stripped")
      yield* expect401(`${h}.${token.split(".")[1]}`, "signature segment missing")
      yield* expect401(`${h}.${token.split(".")[1]}.${"A".repeat(86)}`, "signature zeroed")
    })
  )

  it.effect("rejects a token signed with another key, with or without the server's kid, and with jku/x5u pointers", () =>
    Effect.gen(function* () {
      const { claims, header } = yield* realToken
      const other = generateKeyPairSync("ec", { namedCurve: "P-256" })
      yield* expect401(forge(header, claims, es256(other.privateKey)), "another key, server kid")
      yield* expect401(forge({ alg: "ES256" }, claims, es256(other.privateKey)), "another key, no kid")
      yield* expect401(forge({ ...header, kid: "../../../../dev/null" }, claims, es256(other.privateKey)), "kid path traversal")
      yield* expect401(forge({ ...header, jku: "https://127.0.0.1:1/jwks.json" }, claims, es256(other.privateKey)), "jku")
      yield* expect401(forge({ ...header, x5u: "https://127.0.0.1:1/cert.pem" }, claims, es256(other.privateKey)), "x5u")
    })
  )

  it.effect("rejects a token carrying its own key in an embedded jwk header", () =>
    Effect.gen(function* () {
      const { claims, header } = yield* realToken
      const other = generateKeyPairSync("ec", { namedCurve: "P-256" })
      const jwk = other.publicKey.export({ format: "jwk" })
      yield* expect401(forge({ alg: "ES256", jwk }, claims, es256(other.privateKey)), "embedded jwk, no kid")
      yield* expect401(forge({ ...header, jwk }, claims, es256(other.privateKey)), "embedded jwk with the server's kid")
    })
  )

  it.effect("rejects HS256 signed with the server's public key in every usual encoding (key confusion)", () =>
    Effect.gen(function* () {
      const { claims, header } = yield* realToken
      const keys = yield* serverKeys
      const pem = keys.publicKey.export({ format: "pem", type: "spki" }).toString()
      const der = keys.publicKey.export({ format: "der", type: "spki" })
      const raw = Buffer.concat([Buffer.from([4]), Buffer.from(keys.verify["x"] as string, "base64url"), Buffer.from(keys.verify["y"] as string, "base64url")])
      const secrets: Array<[string, Buffer | string]> = [
        ["PEM", pem],
        ["PEM without trailing newline", pem.trimEnd()],
        ["DER", der],
        ["raw point", raw],
        ["JWK file text", keys.verifyText],
        ["JWK JSON", JSON.stringify(keys.verify)],
        ["x coordinate", keys.verify["x"] as string]
      ]
      for (const [name, secret] of secrets) {
        for (const alg of ["HS256", "HS384", "HS512"]) {
          const hash = { HS256: "sha256", HS384: "sha384", HS512: "sha512" }[alg]!
          const hmac = (data: string) => createHmac(hash, secret).update(data).digest("base64url")
          yield* expect401(forge({ ...header, alg }, claims, hmac), `${alg} with the public key as ${name}`)
        }
      }
    })
  )

  it.effect("rejects a disallowed algorithm even when the signature is valid for its key", () =>
    Effect.gen(function* () {
      const { claims, header } = yield* realToken
      const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" })
      const es384 = (data: string) => sign("sha384", Buffer.from(data), { key: p384.privateKey, dsaEncoding: "ieee-p1363" }).toString("base64url")
      yield* expect401(forge({ ...header, alg: "ES384" }, claims, es384), "ES384")
      const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 })
      const rs256 = (data: string) => sign("sha256", Buffer.from(data), rsa.privateKey).toString("base64url")
      yield* expect401(forge({ ...header, alg: "RS256" }, claims, rs256), "RS256")
    })
  )

  it.effect("rejects expired, not-yet-valid and exp-less tokens signed with the server's own key", () =>
    Effect.gen(function* () {
      const { claims, header } = yield* realToken
      const signer = es256((yield* serverKeys).privateKey)
      yield* expect401(forge(header, { ...claims, iat: now() - 7200, exp: now() - 3600 }, signer), "expired an hour ago")
      yield* expect401(forge(header, { ...claims, iat: now() - 1200, exp: now() - 600 }, signer), "expired ten minutes ago")
      yield* expect401(forge(header, { ...claims, nbf: now() + 3600 }, signer), "nbf in an hour")
      const { exp: _exp, ...withoutExp } = claims
      yield* expect401(forge(header, withoutExp, signer), "no exp")
      yield* expect401(forge(header, { ...claims, exp: String(claims["exp"]) }, signer), "exp as a string")
    })
  )

  it.effect("rejects a wrong audience or issuer and an unknown crit header, signed with the server's own key", () =>
    Effect.gen(function* () {
      const { claims, header } = yield* realToken
      const signer = es256((yield* serverKeys).privateKey)
      for (const aud of ["ncod", "portal2", "slave", "", ["other"]]) {
        yield* expect401(forge(header, { ...claims, aud }, signer), `aud ${JSON.stringify(aud)}`)
      }
      const { aud: _aud, ...withoutAud } = claims
      yield* expect401(forge(header, withoutAud, signer), "no aud")
      for (const iss of ["evil", "NCOD", "ncod ", ""]) {
        yield* expect401(forge(header, { ...claims, iss }, signer), `iss ${JSON.stringify(iss)}`)
      }
      const { iss: _iss, ...withoutIss } = claims
      yield* expect401(forge(header, withoutIss, signer), "no iss")
      yield* expect401(forge({ ...header, crit: ["urn:example:unknown"], "urn:example:unknown": true }, claims, signer), "unknown crit")
      yield* expect401(forge({ ...header, crit: ["exp"] }, claims, signer), "crit naming a claim")
    })
  )

  it.effect("refuses a validly signed admin-audience token of a non-admin on admin routes", () =>
    Effect.gen(function* () {
      const { claims, header } = yield* realToken
      const signer = es256((yield* serverKeys).privateKey)
      const token = forge(header, { ...claims, aud: "admin" }, signer)
      const reply = yield* call("GET", "/api/v1/admin/users", { token })
      expectError(reply, [401, 403], ["UNAUTHENTICATED", "FORBIDDEN"])
    })
  )

  it.effect("rejects malformed Authorization headers with 401", () =>
    Effect.gen(function* () {
      const { token } = yield* realToken
      for (const value of ["Bearer", "Bearer ", `Basic ${token}`, `Bearer ${token}x`, `Bearer ${token.split(".").slice(0, 2).join(".")}`, "Bearer a.b.c", `Token ${token}`]) {
        const reply = yield* call("GET", "/api/v1/me", { headers: { authorization: value } })
        expectError(reply, 401, "UNAUTHENTICATED")
      }
      expectError(yield* call("GET", "/api/v1/me"), 401, "UNAUTHENTICATED")
    })
  )

  it.effect("never accepts a refresh token as a bearer token, nor an access token as a refresh token", () =>
    Effect.gen(function* () {
      const { account, token } = yield* realToken
      expectError(yield* me(account.session.refreshToken), 401, "UNAUTHENTICATED")
      const refreshed = yield* call("POST", "/api/v1/auth/refresh", { json: { refreshToken: token.slice(0, 200) } })
      expect([400, 401]).toContain(refreshed.status)
      expect(refreshed.status).not.toBe(200)
    })
  )

  it.effect("rejects the access token of a user an admin disabled", () =>
    Effect.gen(function* () {
      const { account, token } = yield* realToken
      expect((yield* me(token)).status).toBe(200)
      const disabled = yield* asAdmin("POST", `/api/v1/admin/users/${account.user.id}/disable`, { json: { reason: "left the team" } })
      expect(disabled.status, disabled.text).toBe(200)
      yield* expect401(token, "token of a disabled user")
      const refreshed = yield* call("POST", "/api/v1/auth/refresh", { json: { refreshToken: account.session.refreshToken } })
      expectError(refreshed, 401, "UNAUTHENTICATED")
    })
  )

  it.effect("rejects a token issued before the user signed out", () =>
    Effect.gen(function* () {
      const { account, token } = yield* realToken
      const out = yield* call("POST", "/api/v1/auth/logout", { json: { refreshToken: account.session.refreshToken }, token })
      expect(out.status, out.text).toBe(204)
      yield* expect401(token, "token issued before logout")
    })
  )

  it.effect("rejects every token issued before a password change, and the refresh token too", () =>
    Effect.gen(function* () {
      const { account, token } = yield* realToken
      const second = yield* login(account.username, account.password, "portal")
      const changed = yield* call("POST", "/api/v1/me/password", {
        token,
        json: { currentPassword: account.password, newPassword: newPassword() }
      })
      expect(changed.status, changed.text).toBe(204)
      yield* expect401(token, "the token that changed the password")
      yield* expect401(second.accessToken, "another session's token")
      const refreshed = yield* call("POST", "/api/v1/auth/refresh", { json: { refreshToken: second.refreshToken } })
      expectError(refreshed, 401, "UNAUTHENTICATED")
    })
  )

  it.effect("rejects a token issued before the user's role changed", () =>
    Effect.gen(function* () {
      const { account, token } = yield* realToken
      const promoted = yield* asAdmin("PUT", `/api/v1/admin/users/${account.user.id}/role`, { json: { role: "admin" } })
      expect(promoted.status, promoted.text).toBe(200)
      yield* expect401(token, "token issued before the role change")
    })
  )

  it.effect("refuses a portal token on admin routes, even an admin's", () =>
    Effect.gen(function* () {
      const { token } = yield* realToken
      const master = yield* TestMaster
      const adminPortal = yield* login(master.admin.username, master.admin.password, "portal")
      for (const bearer of [token, adminPortal.accessToken]) {
        // verified once on a portal route first: the remembered verification must not widen its audience
        expect((yield* call("GET", "/api/v1/me", { token: bearer })).status).toBe(200)
        for (const [method, route] of [
          ["GET", "/api/v1/admin/users"],
          ["GET", "/api/v1/admin/audit"],
          ["GET", "/api/v1/admin/machines"],
          ["GET", "/api/v1/admin/org-units"]
        ] as const) {
          expectError(yield* call(method, route, { token: bearer }), [401, 403], ["UNAUTHENTICATED", "FORBIDDEN"])
        }
      }
      const adminApp = yield* adminSession
      expect((yield* call("GET", "/api/v1/admin/users", { token: adminApp.accessToken })).status).toBe(200)
    })
  )


  it.effect("refuses a slave credential on every user and admin route with 401", () =>
    Effect.gen(function* () {
      const slave = yield* enrolledSlave()
      // the control: the credential opens its own door
      expect((yield* slave.report([])).status).toBe(200)
      for (const [method, route, json] of [
        ["GET", "/api/v1/me"],
        ["PATCH", "/api/v1/me", { displayName: "A Slave" }],
        ["GET", "/api/v1/me/machines"],
        ["GET", "/api/v1/slaves"],
        ["GET", `/api/v1/slaves/${slave.slaveId}`],
        ["GET", "/api/v1/devices"],
        ["GET", "/api/v1/leases"],
        ["POST", "/api/v1/leases", { deviceId: "00000000-0000-4000-8000-000000000000" }],
        ["GET", "/api/v1/queue"],
        ["GET", "/api/v1/admin/users"],
        ["GET", "/api/v1/admin/enrollment-tokens"],
        ["PATCH", `/api/v1/admin/slaves/${slave.slaveId}`, { name: "self-renamed" }],
        ["GET", "/api/v1/admin/usage"]
      ] as const) {
        const reply = yield* call(method, route, { token: slave.credential, ...(json === undefined ? {} : { json }) })
        expect(reply.status, `${method} ${route}: ${reply.text.slice(0, 200)}`).toBe(401)
        expectError(reply, 401, "UNAUTHENTICATED")
      }
    })
  )

  it.effect("refuses a user's access token of every audience on the slave routes, and as an enrollment token", () =>
    Effect.gen(function* () {
      const slave = yield* enrolledSlave()
      const member = yield* clientMember(yield* newDepartment)
      const keys = yield* serverKeys
      const claims = jwtClaims(member.session.accessToken)
      // a user token made out for the slave: its id as subject, signed with the server's own key
      const forgedForSlave = forge(jwtHeader(member.session.accessToken), { ...claims, sub: slave.slaveId, aud: "slave" }, es256(keys.privateKey))
      for (const [what, token] of [
        ["portal", member.session.accessToken],
        ["client", member.clientToken],
        ["admin", (yield* adminSession).accessToken],
        ["slave-audience JWT for the slave's id", forgedForSlave],
        ["a JWT behind the slave's id", `${slave.slaveId}.${member.session.accessToken}`]
      ] as const) {
        const report = yield* call("POST", `/api/v1/slaves/${slave.slaveId}/reports`, { token, json: reportBody(slave.nextSeq(), slave.serverName, []) })
        expect(report.status, `${what} on a report: ${report.text.slice(0, 200)}`).toBe(401)
        expectError(report, 401, "UNAUTHENTICATED")
        const leave = yield* call("DELETE", `/api/v1/slaves/${slave.slaveId}`, { token })
        expect(leave.status, `${what} on deregister`).toBe(401)
        const enroll = yield* call("POST", "/api/v1/slaves/enroll", {
          json: { token: token.slice(0, 200), name: "stolen", host: "stolen.example", vhPort: 7575, fingerprint: "fp-stolen-0001", agentVersion: "x", labels: {} }
        })
        expectError(enroll, 401, "UNAUTHENTICATED")
      }
      // the slave is untouched
      expect((yield* slave.report([])).status).toBe(200)
    })
  )

  it.scoped("refuses a user's access token on the slave's grants link, which its own credential opens", () =>
    Effect.gen(function* () {
      const master = yield* TestMaster
      const slave = yield* enrolledSlave()
      const member = yield* clientMember(yield* newDepartment)
      const link = yield* slaveLinkClient(master.url, master.ca)
      const first = (credential: string) =>
        link.SlaveGrants({ credential }).pipe(Stream.runHead, Effect.timeout(Duration.seconds(10)), Effect.either)
      // the control: the slave's own credential gets its grants snapshot at once
      const own = yield* first(slave.credential)
      expect(own._tag === "Right" && own.right._tag === "Some" && (own.right.value as SlaveLinkMessage)._tag).toBe("GrantsSnapshot")
      for (const [what, credential] of [
        ["portal token", member.session.accessToken],
        ["client token", member.clientToken],
        ["admin token", (yield* adminSession).accessToken],
        ["a user token behind the slave's id", `${slave.slaveId}.${member.session.accessToken}`],
        ["the slave's id with a wrong secret", `${slave.slaveId}.${"A".repeat(43)}`]
      ] as const) {
        const result = yield* first(credential.slice(0, 400))
        expect(result._tag, `${what} was accepted`).toBe("Left")
        expect(result._tag === "Left" && (result.left as { _tag?: string })._tag, what).toBe("Unauthenticated")
      }
    })
  )

  it.scoped("refuses invalid, forged, expired, slave and disabled users' tokens on the live events RPC", () =>
    Effect.gen(function* () {
      const master = yield* TestMaster
      const events = yield* liveEventsClient(master.url, master.ca)
      const subscribe = (accessToken: string) =>
        events.SubscribeEvents({ accessToken }).pipe(Stream.runHead, Effect.timeout(Duration.seconds(10)), Effect.either)
      const expectRefused = (accessToken: string, what: string) =>
        Effect.gen(function* () {
          const result = yield* subscribe(accessToken)
          expect(result._tag, `${what} was accepted`).toBe("Left")
          expect(result._tag === "Left" && (result.left as { _tag?: string })._tag, what).toBe("Unauthenticated")
        })

      // the control: a valid token is subscribed and gets a fleet event it may see
      const { account, claims, header, token } = yield* realToken
      const seen: Array<LiveEvent> = []
      yield* events.SubscribeEvents({ accessToken: token }).pipe(
        Stream.runForEach((event) => Effect.sync(() => void seen.push(event))),
        Effect.forkScoped
      )
      yield* sleepMs(300)
      // (fleet events reach a user only for what their grants cover)
      const slave = yield* enrolledSlave()
      yield* grant({ _tag: "slave", slaveId: slave.slaveId }, { _tag: "user", userId: account.user.id })
      expect((yield* slave.report(sampleDevices(slave.serverName, 1))).status).toBe(200)
      const aboutSlave = (e: LiveEvent) => e._tag === "DeviceAdded" && e.device.slaveId === slave.slaveId
      for (let waited = 0; !seen.some(aboutSlave) && waited < 5_000; waited += 100) yield* sleepMs(100)
      expect(seen.some(aboutSlave), "the valid subscription got nothing").toBe(true)

      const keys = yield* serverKeys
      const signer = es256(keys.privateKey)
      const other = generateKeyPairSync("ec", { namedCurve: "P-256" })
      const [h, p] = token.split(".")
      yield* expectRefused("", "an empty token")
      yield* expectRefused("not a token", "garbage")
      yield* expectRefused(`${h}.${p}.`, "a stripped signature")
      yield* expectRefused(`${b64({ ...header, alg: "none" })}.${b64(claims)}.`, "alg none")
      yield* expectRefused(`${h}.${b64({ ...claims, sub: jwtClaims((yield* adminSession).accessToken)["sub"] })}.${token.split(".")[2]}`, "a tampered payload")
      yield* expectRefused(forge(header, claims, es256(other.privateKey)), "another key")
      yield* expectRefused(forge({ ...header, alg: "HS256" }, claims, (data) => createHmac("sha256", keys.verifyText).update(data).digest("base64url")), "HS256 with the public key")
      yield* expectRefused(forge(header, { ...claims, iat: now() - 7200, exp: now() - 3600 }, signer), "expired an hour ago")
      yield* expectRefused(forge(header, { ...claims, aud: "slave" }, signer), "audience slave")
      yield* expectRefused(account.session.refreshToken, "a refresh token")
      yield* expectRefused(slave.credential, "a slave credential")

      // a disabled user: the open stream ends after telling them, and a new one is refused
      const disabled = yield* asAdmin("POST", `/api/v1/admin/users/${account.user.id}/disable`, { json: { reason: "left the team" } })
      expect(disabled.status, disabled.text).toBe(200)
      for (let waited = 0; !seen.some((e) => e._tag === "AccountStatusChanged") && waited < 5_000; waited += 100) yield* sleepMs(100)
      expect(seen.some((e) => e._tag === "AccountStatusChanged" && e.userId === account.user.id && e.status === "disabled")).toBe(true)
      yield* expectRefused(token, "a disabled user's token")
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

// 30 s is the shortest lifetime the setting allows; the verifier adds 5 s of clock tolerance
layer(masterLayer({ NCOD_ACCESS_TOKEN_TTL_SECONDS: "30" }), { timeout: 120_000, excludeTestServices: true })(
  "JWT expiry in real time",
  (it) => {
    it.scoped("stops accepting an access token once its short life is over (a live events subscription ends with it), and the refresh token still renews it", () =>
      Effect.gen(function* () {
        const master = yield* TestMaster
        const { account, claims, token } = yield* realToken
        expect((claims["exp"] as number) - (claims["iat"] as number)).toBeLessThanOrEqual(30)
        expect((yield* me(token)).status).toBe(200)
        const events = yield* liveEventsClient(master.url, master.ca)
        const subscription = yield* events.SubscribeEvents({ accessToken: token }).pipe(Stream.runDrain, Effect.either, Effect.forkScoped)
        yield* sleepMs(((claims["exp"] as number) + 7) * 1000 - Date.now())
        yield* expect401(token, "token past its exp")
        // the subscription made with it is over, and a new one with it is refused
        expect(subscription.unsafePoll(), "the live events subscription outlived its token").not.toBeNull()
        const again = yield* events.SubscribeEvents({ accessToken: token }).pipe(Stream.runHead, Effect.timeout(Duration.seconds(10)), Effect.either)
        expect(again._tag === "Left" && (again.left as { _tag?: string })._tag).toBe("Unauthenticated")
        const refreshed = yield* call("POST", "/api/v1/auth/refresh", { json: { refreshToken: account.session.refreshToken } })
        expect(refreshed.status, refreshed.text).toBe(200)
        expect((yield* me((refreshed.body as Json)["accessToken"] as string)).status).toBe(200)
      }),
      60_000
    )
  }
)
