import type { Locale } from "../kit/i18n/locale.js"
import { titleOf } from "../kit/markdown.js"

/**
 * The user manual: plain Markdown files in zh/ and en/ (the docs site reuses them), named
 * `NN-slug.md`; the number orders them, the slug is the page's address (/manual/<slug>).
 */
const files = {
  zh: import.meta.glob<string>("./zh/*.md", { query: "?raw", import: "default", eager: true }),
  en: import.meta.glob<string>("./en/*.md", { query: "?raw", import: "default", eager: true })
}

export interface ManualPage {
  readonly slug: string
  readonly title: string
  readonly source: string
}

const pagesOf = (locale: Locale): ReadonlyArray<ManualPage> =>
  Object.entries(files[locale])
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([path, source]) => {
      const slug = (/\d+-([a-z0-9-]+)\.md$/.exec(path)?.[1] ?? path).toString()
      return { slug, title: titleOf(source), source }
    })

const cache = new Map<Locale, ReadonlyArray<ManualPage>>()

export const manualPages = (locale: Locale) => {
  let pages = cache.get(locale)
  if (!pages) {
    pages = pagesOf(locale)
    cache.set(locale, pages)
  }
  return pages
}
