import { Lease, LeaseChanged, Resync, ReleaseRequested, SlaveStatusChanged, type UserId, WaitlistOffered } from "@ncod/core"
import { DateTime, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { childrenOf, pathLabel, pathTo } from "../data/orgUnits.js"
import { sortLeases } from "../data/leases.js"
import { notificationFor, NotificationStore } from "./notifications.js"

const me = "11111111-1111-4111-8111-111111111111" as UserId
const other = "22222222-2222-4222-8222-222222222222" as UserId
const at = DateTime.unsafeMake("2026-11-25T08:00:00.000Z")
const lease = (userId: UserId, state: "active" | "ended", endReason: "expired" | "released" | null = null) =>
  Schema.decodeUnknownSync(Lease)({
    id: "33333333-3333-4333-8333-333333333333",
    deviceId: "44444444-4444-4444-8444-444444444444",
    userId,
    machineId: null,
    clientIdentity: null,
    state,
    startedAt: "2026-11-25T08:00:00.000Z",
    expiresAt: "2026-11-25T10:00:00.000Z",
    endedAt: null,
    endReason,
    suspendedReason: null
  })

describe("notifications", () => {
  const context = { me, mySlaves: new Set(["55555555-5555-4555-8555-555555555555"]) }

  it("tell a user about their own leases ending, not about releasing them themselves", () => {
    const ended = new LeaseChanged({ lease: lease(me, "ended", "expired"), slaveId: "55555555-5555-4555-8555-555555555555" as never, transition: "ended", at })
    expect(notificationFor(ended, context)?.kind).toBe("leaseEnded")
    const released = new LeaseChanged({ lease: lease(me, "ended", "released"), slaveId: "55555555-5555-4555-8555-555555555555" as never, transition: "ended", at })
    expect(notificationFor(released, context)).toBeNull()
    const someoneElse = new LeaseChanged({ lease: lease(other, "ended", "expired"), slaveId: "55555555-5555-4555-8555-555555555555" as never, transition: "ended", at })
    expect(notificationFor(someoneElse, context)).toBeNull()
  })

  it("tell about queue offers, release requests and outages of the user's slaves only", () => {
    expect(notificationFor(new WaitlistOffered({ deviceId: "44444444-4444-4444-8444-444444444444" as never, userId: me, claimExpiresAt: at, at }), context)?.kind).toBe("queueOffered")
    const request = new ReleaseRequested({
      leaseId: "33333333-3333-4333-8333-333333333333" as never,
      deviceId: "44444444-4444-4444-8444-444444444444" as never,
      holderUserId: me,
      requestedBy: { userId: other, username: "wang", displayName: "王" },
      message: "please",
      at
    })
    expect(notificationFor(request, context)?.params).toMatchObject({ who: "王 (wang)", message: "please" })
    const offline = (slaveId: string) => new SlaveStatusChanged({ slaveId: slaveId as never, name: "lab", status: "offline", accessMode: "enforced", degraded: false, at })
    expect(notificationFor(offline("55555555-5555-4555-8555-555555555555"), context)?.kind).toBe("slaveOffline")
    expect(notificationFor(offline("66666666-6666-4666-8666-666666666666"), context)).toBeNull()
    expect(notificationFor(new Resync({ reason: "lagging", at }), context)).toBeNull()
  })

  it("are kept per user, newest first, and counted until read", () => {
    const data = new Map<string, string>()
    const store = new NotificationStore({ getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) })
    store.useUser(me)
    store.add({ kind: "machineApproved", at: 1, deviceId: null, leaseId: null, params: {} })
    store.add({ kind: "machineRevoked", at: 2, deviceId: null, leaseId: null, params: {} })
    expect(store.all.map((n) => n.kind)).toEqual(["machineRevoked", "machineApproved"])
    expect(store.unread).toBe(2)
    store.markAllRead()
    expect(store.unread).toBe(0)
    store.useUser(other)
    expect(store.all).toEqual([])
    store.useUser(me)
    expect(store.all).toHaveLength(2)
  })
})

describe("org tree helpers", () => {
  const unit = (id: string, kind: string, parentId: string | null, name: string, retired = false) =>
    ({ id, kind, parentId, name, nameEn: `${name}-en`, retiredAt: retired ? at : null, createdAt: at }) as never
  const units = [unit("o", "organization", null, "华信"), unit("c", "company", "o", "科技"), unit("d", "project_department", "c", "固件"), unit("x", "project_department", "c", "旧", true)]

  it("offers only active children of the right kind, and labels paths in the UI language", () => {
    expect(childrenOf(units, "c" as never, "project_department", "zh").map((u: { id: string }) => u.id)).toEqual(["d"])
    expect(pathLabel(pathTo(units, "d" as never), "zh")).toBe("华信 / 科技 / 固件")
    expect(pathLabel(pathTo(units, "d" as never), "en")).toBe("华信-en / 科技-en / 固件-en")
  })

  it("lists open leases first", () => {
    const view = (state: string, ms: number) => ({ lease: { state, startedAt: { epochMillis: ms } } })
    expect(sortLeases([view("ended", 3), view("active", 1), view("active", 2)]).map((v) => v.lease.startedAt.epochMillis)).toEqual([2, 1, 3])
  })
})
