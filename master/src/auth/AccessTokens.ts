import type { Audience, MachineId, UserId } from "@ncod/core"
import { Context, Data, Effect, Layer } from "effect"
import * as jose from "jose"
import { randomUUID } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { KeyFiles } from "../keys/KeysTool.js"
import { AuthSettings } from "./AuthSettings.js"

export const ISSUER = "ncod"
const ALGORITHM = "ES256"
const CLOCK_TOLERANCE_SECONDS = 5
/** Verified tokens remembered (a few MB at most): beyond that the memo starts over. */
const VERIFIED_MEMO_ENTRIES = 20_000

export class TokenRejected extends Data.TaggedError("TokenRejected")<{ readonly reason: string }> {}

export class SigningKeysMissing extends Data.TaggedError("SigningKeysMissing")<{ readonly dir: string }> {
  override get message() {
    return `the JWT signing keys are missing in ${this.dir}: run \`ncod-master keys\` or set NCOD_KEYS_DIR`
  }
}

export interface AccessClaims {
  readonly userId: UserId
  readonly audience: Audience
  readonly tokenVersion: number
  readonly machineId: MachineId | null
  readonly tokenId: string
  readonly expiresAt: Date
}

/**
 * Short-lived ES256 access tokens. Verification pins the algorithm, issuer, audience and required
 * claims, so jose itself rejects `alg: none`, HS/ES confusion, embedded keys and unknown `crit`.
 */
export class AccessTokens extends Context.Tag("@ncod/master/AccessTokens")<
  AccessTokens,
  {
    readonly issue: (input: Omit<AccessClaims, "tokenId" | "expiresAt">) => Effect.Effect<{ token: string; claims: AccessClaims }>
    readonly verify: (token: string, audiences: ReadonlyArray<Audience>) => Effect.Effect<AccessClaims, TokenRejected>
  }
>() {}

const readJwk = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as jose.JWK

export const AccessTokensLive = Layer.effect(
  AccessTokens,
  Effect.gen(function* () {
    const settings = yield* AuthSettings
    const keys = yield* Effect.tryPromise({
      try: async () => {
        const privateJwk = readJwk(path.join(settings.keysPath, KeyFiles.jwtPrivate))
        const publicJwk = readJwk(path.join(settings.keysPath, KeyFiles.jwtPublic))
        return {
          kid: publicJwk.kid ?? "",
          signing: await jose.importJWK(privateJwk, ALGORITHM),
          verifying: await jose.importJWK(publicJwk, ALGORITHM)
        }
      },
      catch: () => new SigningKeysMissing({ dir: settings.keysPath })
    })

    const issue = (input: Omit<AccessClaims, "tokenId" | "expiresAt">) =>
      Effect.promise(async () => {
        const tokenId = randomUUID()
        const expiresAt = new Date(Math.floor(Date.now() / 1000 + settings.accessTokenTtlSeconds) * 1000)
        const token = await new jose.SignJWT({ ver: input.tokenVersion, ...(input.machineId ? { mid: input.machineId } : {}) })
          .setProtectedHeader({ alg: ALGORITHM, kid: keys.kid, typ: "at+jwt" })
          .setIssuer(ISSUER)
          .setAudience(input.audience)
          .setSubject(input.userId)
          .setJti(tokenId)
          .setIssuedAt()
          .setNotBefore("0s")
          .setExpirationTime(expiresAt)
          .sign(keys.signing)
        return { token, claims: { ...input, tokenId, expiresAt } }
      })

    // An ES256 verification is a tenth of a cached read's CPU and a token is sent many times in its
    // ten-minute life: the exact string that verified once keeps its claims until it expires. Only
    // verified strings are kept, so nothing unverified is ever let in; revocation and the account
    // checks happen in AccessControl on every request as before.
    const verified = new Map<string, AccessClaims>()
    const remembered = (token: string, audiences: ReadonlyArray<Audience>) => {
      const claims = verified.get(token)
      if (claims === undefined) return undefined
      if (claims.expiresAt.getTime() + CLOCK_TOLERANCE_SECONDS * 1000 <= Date.now()) {
        verified.delete(token)
        return undefined
      }
      return audiences.includes(claims.audience) ? claims : null
    }
    const remember = (token: string, claims: AccessClaims) => {
      if (verified.size >= VERIFIED_MEMO_ENTRIES) verified.clear()
      verified.set(token, claims)
    }

    const verify = (token: string, audiences: ReadonlyArray<Audience>) =>
      Effect.suspend(() => {
        const known = remembered(token, audiences)
        if (known === null) return Effect.fail(new TokenRejected({ reason: "ERR_JWT_CLAIM_VALIDATION_FAILED" }))
        return known === undefined ? verifySignature(token, audiences) : Effect.succeed(known)
      })

    const verifySignature = (token: string, audiences: ReadonlyArray<Audience>) =>
      Effect.tryPromise({
        try: () =>
          jose.jwtVerify(token, keys.verifying, {
            algorithms: [ALGORITHM],
            issuer: ISSUER,
            audience: [...audiences],
            requiredClaims: ["exp", "iat", "sub", "jti", "aud"],
            typ: "at+jwt",
            clockTolerance: CLOCK_TOLERANCE_SECONDS
          }),
        catch: (error) => new TokenRejected({ reason: error instanceof jose.errors.JOSEError ? error.code : "invalid" })
      }).pipe(
        Effect.flatMap(({ payload }) => {
          const audience = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud
          if (typeof payload["ver"] !== "number" || typeof payload.sub !== "string" || typeof audience !== "string") {
            return Effect.fail(new TokenRejected({ reason: "claims" }))
          }
          return Effect.succeed({
            userId: payload.sub as UserId,
            audience: audience as Audience,
            tokenVersion: payload["ver"],
            machineId: typeof payload["mid"] === "string" ? (payload["mid"] as MachineId) : null,
            tokenId: payload.jti!,
            expiresAt: new Date(payload.exp! * 1000)
          } satisfies AccessClaims)
        }),
        Effect.tap((claims) => Effect.sync(() => remember(token, claims)))
      )

    return { issue, verify }
  })
)
