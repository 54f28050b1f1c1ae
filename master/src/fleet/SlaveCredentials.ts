import { type SlaveId, SlaveDecommissioned, SlaveAuth, Unauthenticated } from "@ncod/core"
import { SlavesRepo } from "@ncod/sql"
import { Cache, Context, Duration, Effect, Layer, Option, Redacted, Stream } from "effect"
import { EventBus } from "../events/EventBus.js"
import { createHash, randomBytes, timingSafeEqual } from "node:crypto"

const sha256 = (text: string) => createHash("sha256").update(text).digest()

/** A new slave credential: `<slave id>.<secret>`; only the secret's SHA-256 is stored. */
export const newCredential = (slaveId: SlaveId) => {
  const secret = randomBytes(32).toString("base64url")
  return { credential: `${slaveId}.${secret}`, hash: sha256(secret).toString("hex") }
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * Checks slave credentials on every report: one hash and a constant-time compare against a cached
 * row, never bcrypt. A row is dropped on enroll, decommission and delete — here, and on every other
 * master through the slave's status events — so it can be kept for minutes: with a TTL as short as
 * the report interval nearly every report read it from the database again, and at 10,000 slaves
 * those reads queued for the pool behind the inventory transactions.
 */
export class SlaveCredentials extends Context.Tag("@ncod/master/SlaveCredentials")<
  SlaveCredentials,
  {
    readonly verify: (credential: string) => Effect.Effect<{ slaveId: SlaveId; name: string }, Unauthenticated | SlaveDecommissioned>
    readonly forget: (slaveId: SlaveId) => Effect.Effect<void>
  }
>() {}

export const SlaveCredentialsLive = Layer.scoped(
  SlaveCredentials,
  Effect.gen(function* () {
    const slaves = yield* SlavesRepo
    const rows = yield* Cache.make({
      capacity: 200_000,
      timeToLive: Duration.minutes(10),
      lookup: (slaveId: SlaveId) => slaves.credentialOf(slaveId)
    })
    // held before the fleet's first reports: after a restart they would otherwise be one query each,
    // all at once
    for (const row of yield* slaves.allCredentials) yield* rows.set(row.id, Option.some(row))
    // enrollment (a new credential), decommission, re-admission and deletion each announce the
    // slave's status: whichever master did it, drop what this one remembers
    const bus = yield* EventBus
    yield* bus.subscribe.pipe(
      Stream.runForEach((event) => (event._tag === "SlaveStatusChanged" ? rows.invalidate(event.slaveId) : Effect.void)),
      Effect.forkScoped
    )
    const unauthenticated = new Unauthenticated()

    const verify = (credential: string) =>
      Effect.gen(function* () {
        const dot = credential.indexOf(".")
        const slaveId = credential.slice(0, dot) as SlaveId
        if (dot < 0 || !uuid.test(slaveId)) return yield* unauthenticated
        const row = yield* rows.get(slaveId)
        if (Option.isNone(row) || row.value.credentialHash === null) return yield* unauthenticated
        const expected = Buffer.from(row.value.credentialHash, "hex")
        const actual = sha256(credential.slice(dot + 1))
        if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return yield* unauthenticated
        if (row.value.status === "decommissioned") return yield* new SlaveDecommissioned()
        return { slaveId, name: row.value.name }
      })

    return { verify, forget: (slaveId) => rows.invalidate(slaveId) }
  })
)

export const SlaveAuthLive = Layer.effect(
  SlaveAuth,
  Effect.map(SlaveCredentials, (credentials) => SlaveAuth.of({ bearer: (token) => credentials.verify(Redacted.value(token)) }))
)
