import type { LiveEvent, UserId } from "@ncod/core"

/**
 * What the portal tells a user about their affairs, built from live events: leases that end or are
 * about to, queue offers, release requests and answers, their slaves going offline, machine
 * decisions and account changes. Kept per user in localStorage (the last 100), rendered in the UI
 * language at display time from `kind` and `params`.
 */
export type NotificationKind =
  | "leaseEnded"
  | "leaseExpiring"
  | "leaseSuspended"
  | "queueOffered"
  | "releaseRequested"
  | "releaseDeclined"
  | "slaveOffline"
  | "slaveOnline"
  | "machineApproved"
  | "machineRevoked"
  | "accountChanged"

export interface Notification {
  readonly id: string
  readonly kind: NotificationKind
  readonly at: number
  readonly read: boolean
  /** Device id when the notice is about one (links to it). */
  readonly deviceId: string | null
  readonly leaseId: string | null
  readonly params: Readonly<Record<string, string>>
}

export interface NotificationContext {
  readonly me: UserId
  /** Slaves the user holds a lease on: only their outages concern the user. */
  readonly mySlaves: ReadonlySet<string>
}

type Draft = Omit<Notification, "id" | "read">

/** The notification an event means for this user, or null. Pure: unit-tested. */
export const notificationFor = (event: LiveEvent, context: NotificationContext): Draft | null => {
  const at = event.at.epochMillis
  switch (event._tag) {
    case "LeaseChanged": {
      if (event.lease.userId !== context.me) return null
      const base = { at, deviceId: event.lease.deviceId, leaseId: event.lease.id }
      if (event.transition === "ended" && event.lease.endReason !== "released")
        return { ...base, kind: "leaseEnded", params: { reason: event.lease.endReason ?? "" } }
      if (event.transition === "expiring") return { ...base, kind: "leaseExpiring", params: { expiresAt: String(event.lease.expiresAt.epochMillis) } }
      if (event.transition === "suspended") return { ...base, kind: "leaseSuspended", params: {} }
      return null
    }
    case "WaitlistOffered":
      return event.userId === context.me
        ? { kind: "queueOffered", at, deviceId: event.deviceId, leaseId: null, params: { until: String(event.claimExpiresAt.epochMillis) } }
        : null
    case "ReleaseRequested":
      return event.holderUserId === context.me
        ? {
            kind: "releaseRequested",
            at,
            deviceId: event.deviceId,
            leaseId: event.leaseId,
            params: { who: `${event.requestedBy.displayName} (${event.requestedBy.username})`, message: event.message }
          }
        : null
    case "ReleaseDeclined":
      return event.requesterUserId === context.me ? { kind: "releaseDeclined", at, deviceId: event.deviceId, leaseId: event.leaseId, params: {} } : null
    case "SlaveStatusChanged":
      if (!context.mySlaves.has(event.slaveId)) return null
      if (event.status === "offline") return { kind: "slaveOffline", at, deviceId: null, leaseId: null, params: { slave: event.name } }
      if (event.status === "online") return { kind: "slaveOnline", at, deviceId: null, leaseId: null, params: { slave: event.name } }
      return null
    case "MachineStatusChanged":
      if (event.userId !== context.me || event.status === "pending") return null
      return { kind: event.status === "approved" ? "machineApproved" : "machineRevoked", at, deviceId: null, leaseId: null, params: {} }
    case "AccountStatusChanged":
      return event.userId === context.me ? { kind: "accountChanged", at, deviceId: null, leaseId: null, params: { status: event.status } } : null
    default:
      return null
  }
}

const limit = 100

export class NotificationStore {
  private items: ReadonlyArray<Notification> = []
  private key: string | null = null
  private readonly listeners = new Set<() => void>()

  constructor(private readonly storage: Pick<Storage, "getItem" | "setItem"> = globalThis.localStorage) {}

  /** Switches to a user's list (or none when signed out). */
  useUser(userId: string | null) {
    const key = userId === null ? null : `ncod.notifications.${userId}`
    if (key === this.key) return
    this.key = key
    this.items = []
    if (key !== null) {
      try {
        const parsed = JSON.parse(this.storage.getItem(key) ?? "[]") as unknown
        if (Array.isArray(parsed)) this.items = parsed as ReadonlyArray<Notification>
      } catch {
        this.items = []
      }
    }
    this.changed()
  }

  get all() {
    return this.items
  }

  get unread() {
    return this.items.filter((item) => !item.read).length
  }

  add(draft: Draft): Notification {
    const item: Notification = { ...draft, id: `${draft.at}-${Math.random().toString(36).slice(2, 8)}`, read: false }
    this.items = [item, ...this.items].slice(0, limit)
    this.changed()
    return item
  }

  markAllRead() {
    this.items = this.items.map((item) => (item.read ? item : { ...item, read: true }))
    this.changed()
  }

  clear() {
    this.items = []
    this.changed()
  }

  subscribe(listener: () => void) {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }

  private changed() {
    if (this.key !== null) {
      try {
        this.storage.setItem(this.key, JSON.stringify(this.items))
      } catch {
        // storage full or disabled: keep them in memory
      }
    }
    for (const listener of this.listeners) listener()
  }
}
