import type { ReportedDevice, SlaveGrant } from "@ncod/core"
import { sameVhAddress } from "@ncod/core"
import { busPathPattern, cleanText, usbIdFromHex } from "../scanner/text.js"
import type { AuthorizeRequest } from "./protocol.js"

export interface Decision {
  readonly allow: boolean
  /** Why, in a few words: logged with every decision and returned to the hook. */
  readonly reason: string
  readonly leaseId: string | null
}

export interface GrantsView {
  readonly grants: ReadonlyArray<SlaveGrant>
  /** When the master last confirmed this list (any message on the link), ms since the epoch; null: never. */
  readonly confirmedAt: number | null
}

export interface AuthorizeContext {
  readonly now: number
  /** Grants older than this without a word from the master are not trusted. */
  readonly maxAgeMs: number
  /** The devices the scanner sees now: lets a grant's VirtualHere address identify the device. */
  readonly devices: ReadonlyArray<ReportedDevice>
}

const deny = (reason: string, leaseId: string | null = null): Decision => ({ allow: false, reason, leaseId })

/** The last path component of `$DEVPATH$` when it is a USB port path (`…/1-1.2` → `1-1.2`). */
export const busPathOfDevpath = (devpath: string): string | null => {
  const last = devpath.trim().replace(/\/+$/, "").split("/").pop() ?? ""
  return busPathPattern.test(last) ? last : null
}

const nonEmpty = (text: string | null | undefined) => {
  const cleaned = cleanText(text ?? null)
  // an unsubstituted placeholder means vhusbd had no value for it
  return cleaned === null || /^\$[A-Z_]+\$$/.test(cleaned) ? null : cleaned
}

/**
 * Does this grant name the device vhusbd asks about? Vendor and product must match; then the
 * serial number, the port path, or the address the scanner sees at that port/serial. Two serials
 * that differ always mean two devices, whatever the port says.
 */
const grantMatches = (
  grant: SlaveGrant,
  device: { vendorId: string; productId: string; serial: string | null; busPath: string | null },
  seen: ReadonlyArray<ReportedDevice>
) => {
  if (usbIdFromHex(grant.vendorId) !== device.vendorId || usbIdFromHex(grant.productId) !== device.productId) return false
  const grantSerial = nonEmpty(grant.serial)
  if (grantSerial !== null && device.serial !== null) return grantSerial === device.serial
  if (grant.busPath !== null && device.busPath !== null && grant.busPath === device.busPath) return true
  const current = seen.find(
    (d) =>
      d.vendorId === device.vendorId &&
      d.productId === device.productId &&
      ((device.busPath !== null && d.busPath === device.busPath) || (device.serial !== null && d.serial === device.serial))
  )
  return current !== undefined && sameVhAddress(current.vhAddress, grant.vhAddress)
}

/**
 * The authorization decision, fail closed: allow only when a current grant from the master names
 * this device and this client identity, with the bind password when the grant has one.
 * Everything else — no contact with the master, no grant, someone else's grant, a wrong password,
 * input that does not parse — denies.
 */
export const authorize = (request: AuthorizeRequest, view: GrantsView, context: AuthorizeContext): Decision => {
  if (view.confirmedAt === null) return deny("no grants from the master yet")
  if (context.now - view.confirmedAt > context.maxAgeMs) return deny("grants are stale: no word from the master")
  const vendorId = usbIdFromHex(request.vendorId)
  const productId = usbIdFromHex(request.productId)
  const clientId = cleanText(request.clientId, 512)
  if (vendorId === null || productId === null) return deny("vendor/product id unreadable")
  if (clientId === null) return deny("no client id")
  const device = { vendorId, productId, serial: nonEmpty(request.serial), busPath: busPathOfDevpath(request.devpath) }
  const current = view.grants.filter((grant) => grant.expiresAt.epochMillis > context.now && grantMatches(grant, device, context.devices))
  if (current.length === 0) return deny("no lease for this device")
  const mine = current.filter((grant) => cleanText(grant.clientIdentity, 512) === clientId)
  if (mine.length === 0) return deny("the device is leased to another client", current[0]!.leaseId)
  const password = nonEmpty(request.password)?.toLowerCase() ?? null
  const granted = mine.find((grant) => grant.bindPasswordMd5 === null || (password !== null && grant.bindPasswordMd5.toLowerCase() === password))
  return granted ? { allow: true, reason: "lease holder", leaseId: granted.leaseId } : deny("wrong or missing bind password", mine[0]!.leaseId)
}
