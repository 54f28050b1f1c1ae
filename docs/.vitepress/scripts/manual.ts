/**
 * The user manual is written once, in web/src/manual/<locale>/NN-slug.md, and shown by the portal
 * at /manual/<slug>. The docs site renders the very same files: one page per file, at
 * /manual/<locale>/<slug>, that only includes it (so links between manual pages, written as bare
 * slugs, work in both places). The list is read again on every build: new pages appear by themselves.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { out, repo, write } from "./paths.js"

export interface ManualPage {
  readonly locale: string
  readonly slug: string
  readonly title: string
  readonly file: string
}

const source = path.join(repo, "web/src/manual")

export const manualPages = (locale: string): ReadonlyArray<ManualPage> => {
  const dir = path.join(source, locale)
  if (!fs.existsSync(dir)) return []
  return fs
    .readdirSync(dir)
    .filter((name) => /^\d+-[a-z0-9-]+\.md$/.test(name))
    .sort()
    .map((name) => {
      const text = fs.readFileSync(path.join(dir, name), "utf8")
      return { locale, slug: /^\d+-([a-z0-9-]+)\.md$/.exec(name)![1]!, title: /^#\s+(.+)$/m.exec(text)?.[1]?.trim() ?? name, file: name }
    })
}

export const manualLocales = ["en", "zh"] as const

export const generateManual = () => {
  const written: Array<string> = []
  for (const locale of manualLocales) {
    const dir = out.manual(locale)
    fs.rmSync(dir, { recursive: true, force: true })
    for (const page of manualPages(locale)) {
      const relative = path.relative(dir, path.join(source, locale, page.file)).split(path.sep).join("/")
      write(path.join(dir, `${page.slug}.md`), `<!-- generated: the portal's manual page, included as it is -->\n<!--@include: ${relative}-->\n`)
      written.push(`${locale}/${page.slug}`)
    }
  }
  // the table of contents for docs/manual/index.md (links relative to that page, which includes it)
  const en = manualPages("en")
  const zh = manualPages("zh")
  const rows = Array.from({ length: Math.max(en.length, zh.length) }, (_, i) => {
    const link = (page: ManualPage | undefined) => (page ? `[${page.title}](./${page.locale}/${page.slug}.md)` : "—")
    return `| ${link(en[i])} | ${link(zh[i])} |`
  })
  write(
    path.join(out.generated, "manual-index.md"),
    `<!-- generated from web/src/manual/{en,zh}/ -->\n\n| English | 中文 |\n|---|---|\n${rows.join("\n") || "| — | — |"}\n`
  )
  return written
}
