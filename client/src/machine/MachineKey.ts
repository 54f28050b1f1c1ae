import type { MachinePublicKey } from "@ncod/core"
import { Effect, Option, Schema } from "effect"
import { createPrivateKey, generateKeyPairSync, sign } from "node:crypto"
import { ConfigFileError, readOptionalFile, writePrivateFile } from "../config/files.js"
import { filePath } from "../config/Paths.js"

/**
 * The machine key: a P-256 key pair made once per user profile. The master remembers its public
 * half with the approved MAC binding, and every client sign-in proves possession by signing the
 * master's challenge (ES256), so a copied MAC alone does not get in.
 */
const StoredKey = Schema.Struct({
  kty: Schema.Literal("EC"),
  crv: Schema.Literal("P-256"),
  x: Schema.String,
  y: Schema.String,
  d: Schema.String,
  createdAt: Schema.String
})
type StoredKey = typeof StoredKey.Type

export interface MachineKey {
  readonly publicKey: MachinePublicKey
  /** ES256 over the text, IEEE P1363 encoding (r‖s), base64url: what the master verifies. */
  readonly sign: (text: string) => string
  /** Whether the key was made just now (first sign-in from this profile). */
  readonly created: boolean
}

const fromStored = (stored: StoredKey, created: boolean): MachineKey => {
  const key = createPrivateKey({ key: { kty: "EC", crv: "P-256", x: stored.x, y: stored.y, d: stored.d }, format: "jwk" })
  return {
    publicKey: { kty: "EC", crv: "P-256", x: stored.x, y: stored.y },
    sign: (text) => sign("sha256", Buffer.from(text), { key, dsaEncoding: "ieee-p1363" }).toString("base64url"),
    created
  }
}

const decode = Schema.decodeUnknown(Schema.parseJson(StoredKey))

/** Loads the profile's machine key, generating and storing it (0600) the first time. */
export const loadOrCreateMachineKey = (dir: string) =>
  Effect.gen(function* () {
    const file = filePath(dir, "machineKey")
    const existing = yield* readOptionalFile(file)
    if (Option.isSome(existing)) {
      const stored = yield* decode(existing.value).pipe(
        Effect.mapError(() => new ConfigFileError({ file, reason: "is not a machine key: move it away and sign in again (an administrator must approve the new key)" }))
      )
      return fromStored(stored, false)
    }
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" })
    const jwk = privateKey.export({ format: "jwk" }) as { x: string; y: string; d: string }
    const stored: StoredKey = { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y, d: jwk.d, createdAt: new Date().toISOString() }
    yield* writePrivateFile(file, JSON.stringify(stored, null, 2) + "\n")
    return fromStored(stored, true)
  })
