import bcrypt from "bcrypt"
import { Context, Effect, Layer, Redacted } from "effect"
import { randomBytes } from "node:crypto"

/**
 * bcrypt behind a service. Native bcrypt runs on libuv's thread pool, so a login costs ~250 ms of a
 * pool thread at cost 12, not of the event loop. At most `concurrency` hashes run at once: the pool
 * has four threads, and four hashes at once on a two-core machine starve the event loop (every
 * other request) during a sign-in flood.
 */
export class Passwords extends Context.Tag("@ncod/master/Passwords")<
  Passwords,
  {
    readonly hash: (password: Redacted.Redacted<string>) => Effect.Effect<string>
    readonly verify: (password: Redacted.Redacted<string>, hash: Redacted.Redacted<string>) => Effect.Effect<boolean>
  }
>() {
  static readonly layer = (cost: number, concurrency: number) =>
    Layer.effect(
      Passwords,
      Effect.map(Effect.makeSemaphore(concurrency), (turns) => ({
        hash: (password) =>
          turns.withPermits(1)(Effect.promise(() => bcrypt.hash(Redacted.value(password), cost))).pipe(Effect.withSpan("Passwords.hash")),
        verify: (password, hash) =>
          turns.withPermits(1)(Effect.promise(() => bcrypt.compare(Redacted.value(password), Redacted.value(hash)))).pipe(
            Effect.withSpan("Passwords.verify")
          )
      }))
    )
}

/** A random password for bootstrap accounts: 24 characters of base64url, about 144 bits. */
export const generatePassword = () => Redacted.make(randomBytes(18).toString("base64url"))
