import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import { X509Certificate } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as tls from "node:tls"
import { fetchPresentedRoot, normalizeFingerprint, sameFingerprint } from "./CaPinning.js"

/** A CA and a server certificate it issued for 127.0.0.1, made with the openssl CLI. */
const makePki = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ncod-pki-"))
  const run = (...args: Array<string>) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" })
  run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=Test CA")
  run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
  fs.writeFileSync(path.join(dir, "ext.cnf"), "subjectAltName=IP:127.0.0.1\n")
  run("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "ext.cnf")
  const read = (name: string) => fs.readFileSync(path.join(dir, name), "utf8")
  return { dir, ca: read("ca.crt"), cert: read("server.crt"), key: read("server.key") }
}

const serving = (cert: string, key: string) =>
  Effect.acquireRelease(
    Effect.promise(
      () =>
        new Promise<tls.Server & { port: number }>((resolve) => {
          const server = tls.createServer({ cert, key }, (socket) => socket.end())
          server.listen(0, "127.0.0.1", () => resolve(Object.assign(server, { port: (server.address() as { port: number }).port })))
        })
    ),
    (server) => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
  )

describe("pinning the master's CA on first use", () => {
  const pki = makePki()

  it.scopedLive("takes the self-signed root of the chain the master presents", () =>
    Effect.gen(function* () {
      const server = yield* serving(pki.cert + pki.ca, pki.key)
      const root = yield* fetchPresentedRoot(new URL(`https://127.0.0.1:${server.port}`))
      expect(sameFingerprint(root.fingerprint, new X509Certificate(pki.ca).fingerprint256)).toBe(true)
      expect(root.subject).toContain("Test CA")
      expect(new X509Certificate(root.pem).fingerprint256).toBe(new X509Certificate(pki.ca).fingerprint256)
    })
  )

  it.scopedLive("refuses to guess when the master sends only its own certificate", () =>
    Effect.gen(function* () {
      const server = yield* serving(pki.cert, pki.key)
      const error = yield* Effect.flip(fetchPresentedRoot(new URL(`https://127.0.0.1:${server.port}`)))
      expect(error.reason).toMatch(/does not send its CA certificate: copy ca.crt from the master and pass --ca-file/)
    })
  )

  it.live("names an unreachable master", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(fetchPresentedRoot(new URL("https://127.0.0.1:1")))
      expect(error.reason).toMatch(/cannot reach 127.0.0.1:1/)
    })
  )

  it("compares fingerprints in any of the usual spellings", () => {
    expect(normalizeFingerprint("sha256:AB:cd:01")).toBe("abcd01")
    expect(sameFingerprint("SHA256:AB:CD", "abcd")).toBe(true)
    expect(sameFingerprint("ab:cd", "ab:ce")).toBe(false)
  })
})
