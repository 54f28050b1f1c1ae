import type { ReactiveController, ReactiveControllerHost } from "lit"
import { getLocale, type Locale, onLocaleChange } from "./locale.js"

export type Params = Readonly<Record<string, string | number>>

/** Fills `{name}` placeholders; unknown placeholders stay visible so a missing parameter shows. */
export const interpolate = (template: string, params: Params = {}) =>
  template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole))

export type Translate<K extends string> = (key: K, params?: Params) => string

/**
 * A message catalogue in both languages. The Chinese one defines the keys; the compiler refuses an
 * English catalogue that misses one (or has an extra).
 */
export const defineMessages = <const Zh extends Record<string, string>>(
  zh: Zh,
  en: { readonly [K in keyof Zh]: string }
): Translate<Extract<keyof Zh, string>> & { readonly catalogues: Record<Locale, Record<string, string>> } => {
  const catalogues: Record<Locale, Record<string, string>> = { zh, en }
  const translate = (key: Extract<keyof Zh, string>, params?: Params) => interpolate(catalogues[getLocale()][key] ?? key, params)
  return Object.assign(translate, { catalogues })
}

/** Re-renders a Lit element when the language changes. */
export class LocaleController implements ReactiveController {
  private unsubscribe: (() => void) | undefined
  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this)
  }
  hostConnected() {
    this.unsubscribe = onLocaleChange(() => this.host.requestUpdate())
  }
  hostDisconnected() {
    this.unsubscribe?.()
  }
}
