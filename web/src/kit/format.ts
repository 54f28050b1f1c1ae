import { DateTime } from "effect"
import { getLocale, intlLocale, type Locale } from "./i18n/locale.js"

/** Anything the contract uses for an instant: a decoded Timestamp, a Date, or epoch millis. */
export type Instant = DateTime.DateTime | Date | number

export const toMillis = (value: Instant): number =>
  typeof value === "number" ? value : value instanceof Date ? value.getTime() : DateTime.toEpochMillis(value)

export const formatDateTime = (value: Instant, locale: Locale = getLocale()) =>
  new Intl.DateTimeFormat(intlLocale(locale), { dateStyle: "medium", timeStyle: "short" }).format(toMillis(value))

export const formatTime = (value: Instant, locale: Locale = getLocale()) =>
  new Intl.DateTimeFormat(intlLocale(locale), { timeStyle: "short" }).format(toMillis(value))

const units: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
  ["second", 1_000]
]

/** "3 minutes ago" / "in 2 hours", in the UI language. */
export const formatRelative = (value: Instant, now: number = Date.now(), locale: Locale = getLocale()) => {
  const diff = toMillis(value) - now
  const format = new Intl.RelativeTimeFormat(intlLocale(locale), { numeric: "auto" })
  for (const [unit, size] of units) {
    if (Math.abs(diff) >= size || unit === "second") return format.format(Math.round(diff / size), unit)
  }
  return format.format(0, "second")
}

/** A duration in seconds as "1 h 5 min" / "1 小时 5 分钟". */
export const formatDuration = (seconds: number, locale: Locale = getLocale()) => {
  const total = Math.max(0, Math.round(seconds))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  const zh = locale === "zh"
  const parts: Array<string> = []
  if (h > 0) parts.push(zh ? `${h} 小时` : `${h} h`)
  if (m > 0) parts.push(zh ? `${m} 分钟` : `${m} min`)
  if (h === 0 && (s > 0 || parts.length === 0)) parts.push(zh ? `${s} 秒` : `${s} s`)
  return parts.join(" ")
}

/** How a device is called in lists: the admin's nickname, else the product, else its USB ids. */
export const deviceName = (device: {
  readonly nickname: string | null
  readonly product: string | null
  readonly vendorId: string
  readonly productId: string
}) => device.nickname ?? device.product ?? `${device.vendorId}:${device.productId}`
