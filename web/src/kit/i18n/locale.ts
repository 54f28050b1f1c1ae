/**
 * The UI language: Chinese by default, English on request. The choice is kept in localStorage,
 * mirrored on `<html lang>`, and sent as Accept-Language so the master answers in it too.
 */
export type Locale = "zh" | "en"

const storageKey = "ncod.lang"
const listeners = new Set<(locale: Locale) => void>()

export const parseLocale = (value: string | null | undefined): Locale => (value === "en" ? "en" : "zh")

const readStored = (): Locale => {
  try {
    return parseLocale(globalThis.localStorage?.getItem(storageKey))
  } catch {
    return "zh"
  }
}

let current: Locale = readStored()

const applyToDocument = (locale: Locale) => {
  if (typeof document !== "undefined") document.documentElement.lang = locale === "zh" ? "zh-CN" : "en"
}
applyToDocument(current)

export const getLocale = (): Locale => current

export const setLocale = (locale: Locale) => {
  if (locale === current) return
  current = locale
  try {
    globalThis.localStorage?.setItem(storageKey, locale)
  } catch {
    // storage may be disabled; the choice then lasts for this page only
  }
  applyToDocument(locale)
  for (const listener of listeners) listener(locale)
}

export const onLocaleChange = (listener: (locale: Locale) => void) => {
  listeners.add(listener)
  return () => void listeners.delete(listener)
}

/** The Accept-Language header for the current locale (the master reads zh or en). */
export const acceptLanguage = () => (current === "zh" ? "zh-CN,zh;q=0.9,en;q=0.5" : "en,zh;q=0.5")

/** BCP 47 tag for Intl formatting. */
export const intlLocale = (locale: Locale = current) => (locale === "zh" ? "zh-CN" : "en-GB")
