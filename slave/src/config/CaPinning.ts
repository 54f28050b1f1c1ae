import { Data, Effect } from "effect"
import { X509Certificate } from "node:crypto"
import * as net from "node:net"
import * as tls from "node:tls"

export class CaPinningError extends Data.TaggedError("CaPinningError")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

/** `sha256:AB:CD:…`, the form `openssl x509 -fingerprint -sha256` prints (after its label). */
export const formatFingerprint = (hexWithColons: string) => `sha256:${hexWithColons.toUpperCase()}`

/** Accepts `sha256:AB:CD…`, `AB:CD…` or plain hex, any case. */
export const normalizeFingerprint = (text: string) => text.trim().replace(/^sha-?256:/i, "").replace(/[:\s]/g, "").toLowerCase()

export const sameFingerprint = (a: string, b: string) => normalizeFingerprint(a) === normalizeFingerprint(b)

const toPem = (der: Buffer) => `-----BEGIN CERTIFICATE-----\n${der.toString("base64").match(/.{1,64}/g)!.join("\n")}\n-----END CERTIFICATE-----\n`

export interface PinnedCa {
  readonly pem: string
  readonly fingerprint: string
  readonly subject: string
}

/** The CA in a PEM file (the first certificate names it; the whole file is trusted). */
export const caFromPem = (pem: string, source: string): Effect.Effect<PinnedCa, CaPinningError> =>
  Effect.try({
    try: () => {
      const cert = new X509Certificate(pem)
      return { pem, fingerprint: formatFingerprint(cert.fingerprint256), subject: cert.subject.replace(/\n/g, ", ") }
    },
    catch: () => new CaPinningError({ reason: `${source} is not a PEM certificate` })
  })

/**
 * Trust on first use: connects without verifying, walks the chain the master presents up to its
 * self-signed root and returns that root. Verification happens right after, when enrollment runs
 * over TLS pinned to this root (chain and host name both checked). A master that sends only its
 * own certificate cannot be pinned this way: then the CA file must be copied over.
 */
export const fetchPresentedRoot = (url: URL): Effect.Effect<PinnedCa, CaPinningError> =>
  Effect.async<PinnedCa, CaPinningError>((resume) => {
    const host = url.hostname.replace(/^\[|\]$/g, "")
    const socket = tls.connect({
      host,
      port: Number(url.port || 443),
      rejectUnauthorized: false,
      ...(net.isIP(host) === 0 ? { servername: host } : {})
    })
    const fail = (reason: string) => {
      socket.destroy()
      resume(Effect.fail(new CaPinningError({ reason })))
    }
    socket.setTimeout(10_000, () => fail(`no TLS answer from ${url.host} within 10 s`))
    socket.once("error", (error: NodeJS.ErrnoException) => fail(`cannot reach ${url.host}: ${error.code ?? error.message}`))
    socket.once("secureConnect", () => {
      let cert = socket.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined
      const seen = new Set<string>()
      let root: tls.DetailedPeerCertificate | undefined
      while (cert !== undefined && cert.raw !== undefined && !seen.has(cert.fingerprint256)) {
        seen.add(cert.fingerprint256)
        root = cert
        if (cert.issuerCertificate === undefined || cert.issuerCertificate === cert) break
        cert = cert.issuerCertificate
      }
      socket.destroy()
      if (root === undefined) return fail(`${url.host} presented no certificate`)
      const x509 = new X509Certificate(root.raw)
      if (x509.subject !== x509.issuer || !x509.verify(x509.publicKey)) {
        return fail(
          `${url.host} does not send its CA certificate: copy ca.crt from the master and pass --ca-file (or make the master serve its full chain)`
        )
      }
      resume(Effect.succeed({ pem: toPem(root.raw), fingerprint: formatFingerprint(x509.fingerprint256), subject: x509.subject.replace(/\n/g, ", ") }))
    })
    return Effect.sync(() => socket.destroy())
  })
