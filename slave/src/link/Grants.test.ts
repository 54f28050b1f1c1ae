import { describe, expect, it } from "@effect/vitest"
import { type DeviceId, GrantAdded, GrantRevoked, GrantsSnapshot, type LeaseId, type SlaveGrant, type UserId } from "@ncod/core"
import { DateTime, Effect, Logger } from "effect"
import { makeHealth } from "../agent/Health.js"
import { makeGrants } from "./Grants.js"

const at = DateTime.unsafeMake("2030-01-01T00:00:00Z")
const grant = (n: number, clientIdentity = `User ${n} (u${n})`): SlaveGrant => ({
  leaseId: `00000000-0000-4000-8000-00000000000${n}` as LeaseId,
  deviceId: `10000000-0000-4000-8000-00000000000${n}` as DeviceId,
  stableKey: `k${n}`,
  vhAddress: `lab.${n}`,
  vendorId: "0403",
  productId: "6001",
  serial: `S${n}`,
  busPath: null,
  clientIdentity,
  bindPasswordMd5: "0123456789abcdef0123456789abcdef",
  userId: `20000000-0000-4000-8000-00000000000${n}` as UserId,
  username: `u${n}`,
  expiresAt: DateTime.unsafeMake("2030-01-02T00:00:00Z")
})

describe("the grants the master hands out", () => {
  it.effect("follow snapshots, additions and revocations, logging only real changes and never the password hash", () =>
    Effect.gen(function* () {
      const lines: Array<string> = []
      const logger = Logger.replace(
        Logger.defaultLogger,
        Logger.make(({ annotations, message }) => void lines.push(`${String(message)} ${JSON.stringify([...annotations])}`))
      )
      const health = yield* makeHealth("test")
      const grants = yield* makeGrants(health)
      const apply = (message: Parameters<typeof grants.apply>[0], now: number) => grants.apply(message, now).pipe(Effect.provide(logger))
      yield* apply(new GrantsSnapshot({ grants: [grant(1), grant(2)], at }), 1)
      yield* apply(new GrantsSnapshot({ grants: [grant(1), grant(2)], at }), 2) // the minute's resync: nothing new
      yield* apply(new GrantAdded({ grant: grant(3), at }), 3)
      yield* apply(new GrantRevoked({ leaseId: grant(1).leaseId, deviceId: grant(1).deviceId, vhAddress: "lab.1", reason: "released", at }), 4)
      yield* apply(new GrantsSnapshot({ grants: [grant(3), grant(2, "Someone Else (else)")], at }), 5)
      const view = yield* grants.view
      expect(view.grants.map((g) => g.leaseId)).toEqual([grant(3).leaseId, grant(2).leaseId])
      expect(view.confirmedAt).toBe(5)
      expect(lines.map((line) => line.split(" [")[0])).toEqual(["grant added", "grant added", "grant added", "grant revoked", "grant updated"])
      expect(lines.join("\n")).not.toContain("0123456789abcdef")
      expect((yield* health.get).grants.count).toBe(2)
      yield* grants.clear.pipe(Effect.provide(logger))
      expect((yield* grants.view).confirmedAt).toBeNull()
    })
  )
})
