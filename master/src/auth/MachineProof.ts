import type { MachinePublicKey } from "@ncod/core"
import { Effect } from "effect"
import * as jose from "jose"
import { createPublicKey, verify } from "node:crypto"

/** The stable name of a machine key: its RFC 7638 JWK thumbprint. */
export const keyThumbprint = (key: MachinePublicKey) => Effect.promise(() => jose.calculateJwkThumbprint({ ...key }))

/**
 * Did the holder of `key` sign `challenge`? ES256 with the JOSE signature layout (r || s,
 * base64url), which is what WebCrypto and `crypto.sign(..., { dsaEncoding: "ieee-p1363" })` give.
 */
export const verifyChallengeSignature = (key: MachinePublicKey, challenge: string, signature: string) =>
  Effect.sync(() => {
    try {
      const publicKey = createPublicKey({ key: { ...key }, format: "jwk" })
      const raw = Buffer.from(signature, "base64url")
      return raw.length === 64 && verify("sha256", Buffer.from(challenge, "utf8"), { key: publicKey, dsaEncoding: "ieee-p1363" }, raw)
    } catch {
      return false
    }
  })
