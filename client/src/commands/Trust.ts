import { Effect } from "effect"
import { X509Certificate } from "node:crypto"
import * as net from "node:net"
import * as tls from "node:tls"
import { MasterUnreachable } from "./Failure.js"

export interface SeenCertificate {
  readonly pem: string
  readonly fingerprint256: string
  readonly subject: string
  readonly issuer: string
  readonly selfSigned: boolean
}

export interface PeerChain {
  /** Leaf first. */
  readonly chain: ReadonlyArray<SeenCertificate>
  /** Whether the system store already trusts it (then nothing needs pinning). */
  readonly trusted: boolean
  readonly error: string | null
}

const pemOf = (raw: Buffer) => `-----BEGIN CERTIFICATE-----\n${raw.toString("base64").match(/.{1,64}/g)!.join("\n")}\n-----END CERTIFICATE-----\n`

/**
 * Looks at the certificates a master presents without trusting them yet (trust on first use): the
 * caller shows the fingerprint and pins what the user accepts.
 */
export const fetchPeerChain = (url: URL) =>
  Effect.async<PeerChain, MasterUnreachable>((resume) => {
    const host = url.hostname.replace(/^\[|\]$/g, "")
    const socket = tls.connect({
      host,
      port: Number(url.port || 443),
      ...(net.isIP(host) === 0 ? { servername: host } : {}),
      rejectUnauthorized: false,
      timeout: 10_000
    })
    const fail = (message: string) => {
      socket.destroy()
      resume(Effect.fail(new MasterUnreachable({ message: `cannot reach ${url.origin}: ${message}` })))
    }
    socket.once("timeout", () => fail("no answer within 10 seconds"))
    socket.once("error", (error) => fail((error as NodeJS.ErrnoException).code ?? error.message))
    socket.once("secureConnect", () => {
      const chain: Array<SeenCertificate> = []
      let current: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true)
      const seen = new Set<string>()
      while (current && current.raw && !seen.has(current.fingerprint256)) {
        seen.add(current.fingerprint256)
        const x509 = new X509Certificate(current.raw)
        chain.push({
          pem: pemOf(current.raw),
          fingerprint256: current.fingerprint256,
          subject: x509.subject.replace(/\n/g, ", "),
          issuer: x509.issuer.replace(/\n/g, ", "),
          selfSigned: x509.checkIssued(x509) && x509.verify(x509.publicKey)
        })
        current = current.issuerCertificate
      }
      const trusted = socket.authorized
      const error = socket.authorizationError ? String(socket.authorizationError) : null
      socket.end()
      resume(Effect.succeed({ chain, trusted, error }))
    })
    return Effect.sync(() => socket.destroy())
  })

/**
 * What to pin from a presented chain: its self-signed root when the master sends one (survives
 * server-certificate renewals), else the master's own certificate.
 */
export const certificateToPin = (chain: ReadonlyArray<SeenCertificate>): SeenCertificate | undefined => {
  const root = chain[chain.length - 1]
  return chain.length > 1 && root?.selfSigned ? root : chain[0]
}

/** Reads a PEM file's first certificate, for `--ca-file`. */
export const parseCertificate = (pem: string): SeenCertificate | undefined => {
  try {
    const x509 = new X509Certificate(pem)
    return {
      pem: x509.toString(),
      fingerprint256: x509.fingerprint256,
      subject: x509.subject.replace(/\n/g, ", "),
      issuer: x509.issuer.replace(/\n/g, ", "),
      selfSigned: x509.checkIssued(x509)
    }
  } catch {
    return undefined
  }
}
