import "reflect-metadata"
import * as x509 from "@peculiar/x509"
import { Data, Effect } from "effect"
import * as jose from "jose"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { webcrypto } from "node:crypto"

x509.cryptoProvider.set(webcrypto as unknown as Crypto)

export class KeysError extends Data.TaggedError("KeysError")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

/** The files the keys tool manages, relative to the keys directory. */
export const KeyFiles = {
  jwtPrivate: "jwt-signing.jwk.json",
  jwtPublic: "jwt-verify.jwk.json",
  caKey: "ca.key",
  caCert: "ca.crt",
  serverKey: "server.key",
  serverCert: "server.crt"
} as const

export interface KeysOptions {
  readonly dir: string
  readonly force: boolean
  /** DNS names and IP addresses the server certificate is valid for (localhost is always added). */
  readonly hostnames: ReadonlyArray<string>
  readonly serverValidityDays?: number
}

export interface KeysReport {
  readonly written: ReadonlyArray<string>
  readonly kept: ReadonlyArray<string>
  readonly warnings: ReadonlyArray<string>
}

const EC = { name: "ECDSA", namedCurve: "P-256" } as const
const SIGNING = { name: "ECDSA", hash: "SHA-256" } as const
const DAY_MS = 24 * 60 * 60 * 1000

const isIp = (name: string) => /^[0-9.]+$/.test(name) || name.includes(":")

const pemPrivateKey = async (key: CryptoKey) =>
  x509.PemConverter.encode(await webcrypto.subtle.exportKey("pkcs8", key), "PRIVATE KEY")

const writeFile = (file: string, content: string, secret: boolean) => {
  // write-then-rename so a crash never leaves half a key; 0600 for anything private
  const temp = `${file}.${process.pid}.tmp`
  fs.writeFileSync(temp, content, { mode: secret ? 0o600 : 0o644 })
  fs.renameSync(temp, file)
}

const loadCa = async (dir: string) => {
  const cert = new x509.X509Certificate(fs.readFileSync(path.join(dir, KeyFiles.caCert), "utf8"))
  const der = x509.PemConverter.decodeFirst(fs.readFileSync(path.join(dir, KeyFiles.caKey), "utf8"))
  const privateKey = await webcrypto.subtle.importKey("pkcs8", der, EC, false, ["sign"])
  return { cert, privateKey }
}

const makeCa = async () => {
  const keys = (await webcrypto.subtle.generateKey(EC, true, ["sign", "verify"])) as CryptoKeyPair
  const now = Date.now()
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=ncod local CA (${os.hostname()}), O=ncod`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 3650 * DAY_MS),
    keys,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)
    ]
  })
  return { cert, privateKey: keys.privateKey }
}

const makeServerCert = async (
  ca: { readonly cert: x509.X509Certificate; readonly privateKey: CryptoKey },
  names: ReadonlyArray<string>,
  validityDays: number
) => {
  const keys = (await webcrypto.subtle.generateKey(EC, true, ["sign", "verify"])) as CryptoKeyPair
  const now = Date.now()
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${names[0] ?? "localhost"}, O=ncod`,
    issuer: ca.cert.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + validityDays * DAY_MS),
    publicKey: keys.publicKey,
    signingKey: ca.privateKey,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        names.map((name) => (isIp(name) ? { type: "ip" as const, value: name } : { type: "dns" as const, value: name }))
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert)
    ]
  })
  return { cert, privateKey: keys.privateKey }
}

const makeJwtKeys = async () => {
  const { privateKey, publicKey } = await jose.generateKeyPair("ES256", { extractable: true })
  const publicJwk = await jose.exportJWK(publicKey)
  const kid = await jose.calculateJwkThumbprint(publicJwk)
  const privateJwk = await jose.exportJWK(privateKey)
  return {
    privateJwk: { ...privateJwk, kid, alg: "ES256", use: "sig" },
    publicJwk: { ...publicJwk, kid, alg: "ES256", use: "sig" }
  }
}

/**
 * Generates every secret the master needs into `dir`: the JWT signing key pair (JWK), a local CA,
 * and a server certificate signed by it. Idempotent: what exists is kept unless `force`.
 */
export const generateKeys = (options: KeysOptions) =>
  Effect.tryPromise({
    try: async (): Promise<KeysReport> => {
      const dir = path.resolve(options.dir)
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
      const file = (name: string) => path.join(dir, name)
      const present = (...names: ReadonlyArray<string>) => names.every((name) => fs.existsSync(file(name)))
      const written: Array<string> = []
      const kept: Array<string> = []
      const warnings: Array<string> = []

      if (options.force || !present(KeyFiles.jwtPrivate, KeyFiles.jwtPublic)) {
        const { privateJwk, publicJwk } = await makeJwtKeys()
        writeFile(file(KeyFiles.jwtPrivate), JSON.stringify(privateJwk, null, 2) + "\n", true)
        writeFile(file(KeyFiles.jwtPublic), JSON.stringify(publicJwk, null, 2) + "\n", false)
        written.push(KeyFiles.jwtPrivate, KeyFiles.jwtPublic)
      } else kept.push(KeyFiles.jwtPrivate, KeyFiles.jwtPublic)

      let caIsNew = false
      if (options.force || !present(KeyFiles.caKey, KeyFiles.caCert)) {
        const ca = await makeCa()
        writeFile(file(KeyFiles.caKey), await pemPrivateKey(ca.privateKey), true)
        writeFile(file(KeyFiles.caCert), ca.cert.toString("pem") + "\n", false)
        written.push(KeyFiles.caKey, KeyFiles.caCert)
        caIsNew = true
      } else kept.push(KeyFiles.caKey, KeyFiles.caCert)

      if (options.force || !present(KeyFiles.serverKey, KeyFiles.serverCert)) {
        const names = [...new Set(["localhost", "127.0.0.1", "::1", os.hostname(), ...options.hostnames])]
        const server = await makeServerCert(await loadCa(dir), names, options.serverValidityDays ?? 825)
        writeFile(file(KeyFiles.serverKey), await pemPrivateKey(server.privateKey), true)
        // the full chain: clients that pin on first use find the CA in what the server presents
        const ca = fs.readFileSync(file(KeyFiles.caCert), "utf8")
        writeFile(file(KeyFiles.serverCert), server.cert.toString("pem") + "\n" + ca, false)
        written.push(KeyFiles.serverKey, KeyFiles.serverCert)
      } else {
        kept.push(KeyFiles.serverKey, KeyFiles.serverCert)
        if (caIsNew) warnings.push("the kept server certificate was not issued by the new CA: rerun with --force")
      }
      return { written, kept, warnings }
    },
    catch: (error) => new KeysError({ reason: `could not generate keys in ${options.dir}: ${(error as Error).message}` })
  })

/** What a certificate says about itself, for the banner, readiness and the expiry metric. */
export const describeCertificate = (pem: string) => {
  const cert = new x509.X509Certificate(pem)
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension)
  return {
    subject: cert.subject,
    issuer: cert.issuer,
    notAfter: cert.notAfter,
    names: san?.names.items.map((name) => name.value) ?? []
  }
}
