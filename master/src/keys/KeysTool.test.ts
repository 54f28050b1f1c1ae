import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as jose from "jose"
import { X509Certificate } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { generateKeys, KeyFiles } from "./KeysTool.js"

const freshDir = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ncod-keys-")), "keys")
const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), "utf8")
const mode = (dir: string, file: string) => fs.statSync(path.join(dir, file)).mode & 0o777

describe("the keys tool", () => {
  it.live("writes a JWT key pair, a CA and a server certificate, private files readable by the owner only", () =>
    Effect.gen(function* () {
      const dir = freshDir()
      const report = yield* generateKeys({ dir, force: false, hostnames: ["ncod.lab.example", "10.1.2.3"] })
      expect([...report.written].sort()).toEqual(Object.values(KeyFiles).sort())
      for (const secret of [KeyFiles.jwtPrivate, KeyFiles.caKey, KeyFiles.serverKey]) expect(mode(dir, secret)).toBe(0o600)
      expect(mode(dir, KeyFiles.caCert)).toBe(0o644)

      const ca = new X509Certificate(read(dir, KeyFiles.caCert))
      const server = new X509Certificate(read(dir, KeyFiles.serverCert))
      expect(ca.ca).toBe(true)
      expect(server.ca).toBe(false)
      expect(server.checkIssued(ca)).toBe(true)
      expect(server.verify(ca.publicKey)).toBe(true)
      expect(server.checkHost("localhost")).toBe("localhost")
      expect(server.checkHost("ncod.lab.example")).toBe("ncod.lab.example")
      expect(server.checkIP("127.0.0.1")).toBe("127.0.0.1")
      expect(server.checkIP("10.1.2.3")).toBe("10.1.2.3")
      expect(server.checkHost("evil.example")).toBeUndefined()
      // the server presents its chain: leaf first, then the CA (for clients that pin on first use)
      const chain = read(dir, KeyFiles.serverCert).match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
      expect(chain).toHaveLength(2)
      expect(new X509Certificate(chain[1]!).fingerprint256).toBe(ca.fingerprint256)
    })
  )

  it.live("produces JWT keys that sign and verify as ES256 with a stable key id", () =>
    Effect.gen(function* () {
      const dir = freshDir()
      yield* generateKeys({ dir, force: false, hostnames: [] })
      const privateJwk = JSON.parse(read(dir, KeyFiles.jwtPrivate)) as jose.JWK
      const publicJwk = JSON.parse(read(dir, KeyFiles.jwtPublic)) as jose.JWK
      expect(publicJwk.d).toBeUndefined()
      expect(privateJwk.kid).toBe(publicJwk.kid)
      const token = yield* Effect.promise(async () =>
        new jose.SignJWT({ sub: "u1" })
          .setProtectedHeader({ alg: "ES256", kid: privateJwk.kid! })
          .setExpirationTime("1m")
          .sign(await jose.importJWK(privateJwk, "ES256"))
      )
      const verified = yield* Effect.promise(async () => jose.jwtVerify(token, await jose.importJWK(publicJwk, "ES256")))
      expect(verified.payload.sub).toBe("u1")
    })
  )

  it.live("keeps existing keys on a second run and replaces them only with force", () =>
    Effect.gen(function* () {
      const dir = freshDir()
      yield* generateKeys({ dir, force: false, hostnames: [] })
      const before = Object.fromEntries(Object.values(KeyFiles).map((file) => [file, read(dir, file)]))

      const again = yield* generateKeys({ dir, force: false, hostnames: [] })
      expect(again.written).toEqual([])
      expect([...again.kept].sort()).toEqual(Object.values(KeyFiles).sort())
      for (const file of Object.values(KeyFiles)) expect(read(dir, file)).toBe(before[file])

      const forced = yield* generateKeys({ dir, force: true, hostnames: [] })
      expect(forced.written.length).toBe(Object.values(KeyFiles).length)
      for (const file of Object.values(KeyFiles)) expect(read(dir, file)).not.toBe(before[file])
    })
  )

  it.live("issues a missing server certificate from the existing CA", () =>
    Effect.gen(function* () {
      const dir = freshDir()
      yield* generateKeys({ dir, force: false, hostnames: [] })
      const caBefore = read(dir, KeyFiles.caCert)
      fs.rmSync(path.join(dir, KeyFiles.serverCert))
      const report = yield* generateKeys({ dir, force: false, hostnames: [] })
      expect(report.written).toEqual([KeyFiles.serverKey, KeyFiles.serverCert])
      expect(read(dir, KeyFiles.caCert)).toBe(caBefore)
      const server = new X509Certificate(read(dir, KeyFiles.serverCert))
      expect(server.checkIssued(new X509Certificate(caBefore))).toBe(true)
    })
  )
})
