import { describe, expect, it } from "@effect/vitest"
import type { DeviceId, LeaseId, ReportedDevice, SlaveGrant, UserId } from "@ncod/core"
import { DateTime } from "effect"
import { createHash } from "node:crypto"
import { authorize, busPathOfDevpath, type GrantsView } from "./Authorize.js"
import type { AuthorizeRequest } from "./protocol.js"

const now = Date.parse("2030-01-01T12:00:00Z")
const md5 = (text: string) => createHash("md5").update(text).digest("hex")

const grant = (overrides: Partial<SlaveGrant> = {}): SlaveGrant => ({
  leaseId: "11111111-1111-4111-8111-111111111111" as LeaseId,
  deviceId: "22222222-2222-4222-8222-222222222222" as DeviceId,
  stableKey: "0403:6001:serial:A50285BI",
  vhAddress: "labhub.112",
  vendorId: "0403",
  productId: "6001",
  serial: "A50285BI",
  busPath: "1-1.2",
  clientIdentity: "Ann Lee (ann)",
  bindPasswordMd5: md5("one-time"),
  userId: "33333333-3333-4333-8333-333333333333" as UserId,
  username: "ann",
  expiresAt: DateTime.unsafeMake(now + 3_600_000),
  ...overrides
})

const request = (overrides: Partial<AuthorizeRequest> = {}): AuthorizeRequest => ({
  v: 1,
  op: "authorize",
  vendorId: "0403",
  productId: "6001",
  clientId: "Ann Lee (ann)",
  clientIp: "10.0.0.5",
  clientHostname: "ANN-PC",
  serial: "A50285BI",
  password: md5("one-time"),
  devpath: "/sys/bus/usb/devices/1-1.2",
  nickname: "",
  numBindings: "0",
  ...overrides
})

const fresh = (grants: ReadonlyArray<SlaveGrant>): GrantsView => ({ grants, confirmedAt: now - 1_000 })
const context = { now, maxAgeMs: 180_000, devices: [] as ReadonlyArray<ReportedDevice> }

describe("the authorization decision", () => {
  it("allows the lease holder's client with the lease's bind password", () => {
    expect(authorize(request(), fresh([grant()]), context)).toEqual({ allow: true, reason: "lease holder", leaseId: grant().leaseId })
  })

  it("accepts the password hash in either case", () => {
    expect(authorize(request({ password: md5("one-time").toUpperCase() }), fresh([grant()]), context).allow).toBe(true)
  })

  it("denies another client identity, even with the right password", () => {
    const decision = authorize(request({ clientId: "Bob Roe (bob)" }), fresh([grant()]), context)
    expect(decision).toMatchObject({ allow: false, reason: "the device is leased to another client" })
  })

  it("denies the holder with a wrong or missing password", () => {
    expect(authorize(request({ password: md5("guess") }), fresh([grant()]), context).reason).toBe("wrong or missing bind password")
    expect(authorize(request({ password: "" }), fresh([grant()]), context).allow).toBe(false)
    expect(authorize(request({ password: "$PASSWORD$" }), fresh([grant()]), context).allow).toBe(false)
  })

  it("allows without a password when the grant has none", () => {
    expect(authorize(request({ password: "" }), fresh([grant({ bindPasswordMd5: null })]), context).allow).toBe(true)
  })

  it("denies a device nobody leased, and an expired lease", () => {
    expect(authorize(request({ vendorId: "067b", productId: "2303", serial: "" }), fresh([grant()]), context).reason).toBe("no lease for this device")
    expect(authorize(request(), fresh([grant({ expiresAt: DateTime.unsafeMake(now - 1) })]), context).allow).toBe(false)
  })

  it("treats a different serial number as a different device even on the leased port", () => {
    expect(authorize(request({ serial: "OTHER" }), fresh([grant()]), context).allow).toBe(false)
  })

  it("recognises a device without a serial number by its port path, and not the same product on another port", () => {
    const portGrant = grant({ serial: null, busPath: "1-1.4", vendorId: "067b", productId: "2303" })
    const at = (devpath: string) => request({ vendorId: "067b", productId: "2303", serial: "", devpath })
    expect(authorize(at("/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1.4"), fresh([portGrant]), context).allow).toBe(true)
    expect(authorize(at("/sys/bus/usb/devices/1-1.5"), fresh([portGrant]), context).allow).toBe(false)
  })

  it("recognises a device by the address the scanner sees at its port when the grant has no port", () => {
    const byAddress = grant({ serial: null, busPath: null, vhAddress: "LABHUB.114", vendorId: "067b", productId: "2303" })
    const seen = [{ vhAddress: "labhub.114", vendorId: "067b", productId: "2303", busPath: "1-1.4", serial: null } as ReportedDevice]
    const ask = request({ vendorId: "067b", productId: "2303", serial: "", devpath: "/sys/bus/usb/devices/1-1.4" })
    expect(authorize(ask, fresh([byAddress]), { ...context, devices: seen }).allow).toBe(true)
    expect(authorize(ask, fresh([byAddress]), context).allow).toBe(false)
  })

  it("fails closed before the first word from the master and when the grants have gone stale", () => {
    expect(authorize(request(), { grants: [grant()], confirmedAt: null }, context).reason).toBe("no grants from the master yet")
    expect(authorize(request(), { grants: [grant()], confirmedAt: now - 181_000 }, context).reason).toBe("grants are stale: no word from the master")
  })

  it("denies unreadable input instead of guessing", () => {
    expect(authorize(request({ vendorId: "zz" }), fresh([grant()]), context).allow).toBe(false)
    expect(authorize(request({ clientId: "\u0000" }), fresh([grant()]), context).allow).toBe(false)
  })

  it("takes the bus path from the last component of a sysfs path only when it is one", () => {
    expect(busPathOfDevpath("/sys/bus/usb/devices/1-1.2/")).toBe("1-1.2")
    expect(busPathOfDevpath("/sys/bus/usb/devices/usb1")).toBeNull()
    expect(busPathOfDevpath("")).toBeNull()
  })
})
