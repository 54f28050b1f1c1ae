import { html, nothing, type TemplateResult } from "lit"

/**
 * A small Markdown subset rendered straight to Lit templates: headings, paragraphs, lists, block
 * quotes, fenced code, inline code, bold, italics and links. No HTML string is ever built, so there
 * is nothing to sanitize: every character of the source ends up as text. Used for the user manual
 * (our own files); raw HTML in the source shows as text. Links keep only safe targets.
 */
export type Block =
  | { readonly kind: "heading"; readonly level: 1 | 2 | 3; readonly text: string }
  | { readonly kind: "paragraph"; readonly text: string }
  | { readonly kind: "list"; readonly ordered: boolean; readonly items: ReadonlyArray<string> }
  | { readonly kind: "quote"; readonly text: string }
  | { readonly kind: "code"; readonly text: string }

export type Inline =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "code"; readonly text: string }
  | { readonly kind: "strong"; readonly text: string }
  | { readonly kind: "em"; readonly text: string }
  | { readonly kind: "link"; readonly text: string; readonly href: string }

export const parseBlocks = (source: string): ReadonlyArray<Block> => {
  const blocks: Array<Block> = []
  const lines = source.replace(/\r\n?/g, "\n").split("\n")
  let i = 0
  while (i < lines.length) {
    const line = lines[i]!
    if (line.trim() === "") {
      i++
      continue
    }
    if (line.startsWith("```")) {
      const code: Array<string> = []
      i++
      while (i < lines.length && !lines[i]!.startsWith("```")) code.push(lines[i++]!)
      i++
      blocks.push({ kind: "code", text: code.join("\n") })
      continue
    }
    const heading = /^(#{1,3})\s+(.*)$/.exec(line)
    if (heading) {
      blocks.push({ kind: "heading", level: heading[1]!.length as 1 | 2 | 3, text: heading[2]!.trim() })
      i++
      continue
    }
    if (/^\s*([-*]|\d+\.)\s+/.test(line)) {
      const ordered = /^\s*\d+\.\s+/.test(line)
      const items: Array<string> = []
      while (i < lines.length && /^\s*([-*]|\d+\.)\s+/.test(lines[i]!)) {
        let item = lines[i++]!.replace(/^\s*([-*]|\d+\.)\s+/, "")
        // continuation lines indented under the item
        while (i < lines.length && /^\s{2,}\S/.test(lines[i]!) && !/^\s*([-*]|\d+\.)\s+/.test(lines[i]!)) item += ` ${lines[i++]!.trim()}`
        items.push(item)
      }
      blocks.push({ kind: "list", ordered, items })
      continue
    }
    if (line.startsWith(">")) {
      const quote: Array<string> = []
      while (i < lines.length && lines[i]!.startsWith(">")) quote.push(lines[i++]!.replace(/^>\s?/, ""))
      blocks.push({ kind: "quote", text: quote.join(" ") })
      continue
    }
    const paragraph: Array<string> = []
    while (i < lines.length && lines[i]!.trim() !== "" && !/^(#{1,3}\s|```|>|\s*([-*]|\d+\.)\s+)/.test(lines[i]!)) paragraph.push(lines[i++]!.trim())
    blocks.push({ kind: "paragraph", text: paragraph.join(" ") })
  }
  return blocks
}

const inlinePattern = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\[[^\]]+\]\([^)\s]+\))|(\*[^*\s][^*]*\*)/g

export const parseInline = (text: string): ReadonlyArray<Inline> => {
  const parts: Array<Inline> = []
  let last = 0
  for (const match of text.matchAll(inlinePattern)) {
    if (match.index > last) parts.push({ kind: "text", text: text.slice(last, match.index) })
    const token = match[0]
    if (match[1]) parts.push({ kind: "code", text: token.slice(1, -1) })
    else if (match[2]) parts.push({ kind: "strong", text: token.slice(2, -2) })
    else if (match[3]) {
      const link = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(token)!
      parts.push({ kind: "link", text: link[1]!, href: link[2]! })
    } else parts.push({ kind: "em", text: token.slice(1, -1) })
    last = match.index + token.length
  }
  if (last < text.length) parts.push({ kind: "text", text: text.slice(last) })
  return parts
}

/**
 * Where a link may go: https/http pages, paths on this site, and sibling manual pages (a bare
 * slug such as `install-client`, resolved by `resolveRelative`). Anything else (javascript:, data:)
 * is dropped and its text shown.
 */
export const safeHref = (target: string, resolveRelative: (slug: string) => string): string | undefined => {
  if (/^https?:\/\//i.test(target)) return target
  if (target.startsWith("/") && !target.startsWith("//")) return target
  if (/^[a-z0-9-]+(#[a-z0-9-]+)?$/i.test(target)) return resolveRelative(target)
  return undefined
}

const renderInline = (text: string, resolveRelative: (slug: string) => string): TemplateResult =>
  html`${parseInline(text).map((part) => {
    switch (part.kind) {
      case "text":
        return part.text
      case "code":
        return html`<code>${part.text}</code>`
      case "strong":
        return html`<strong>${part.text}</strong>`
      case "em":
        return html`<em>${part.text}</em>`
      case "link": {
        const target = safeHref(part.href, resolveRelative)
        if (target === undefined) return part.text
        const external = /^https?:/i.test(target)
        return external ? html`<a href=${target} rel="noopener noreferrer" target="_blank">${part.text}</a>` : html`<a href=${target}>${part.text}</a>`
      }
    }
  })}`

export const renderMarkdown = (source: string, resolveRelative: (slug: string) => string = (slug) => slug): TemplateResult =>
  html`${parseBlocks(source).map((block) => {
    switch (block.kind) {
      case "heading":
        return block.level === 1
          ? html`<h1>${renderInline(block.text, resolveRelative)}</h1>`
          : block.level === 2
            ? html`<h2>${renderInline(block.text, resolveRelative)}</h2>`
            : html`<h3>${renderInline(block.text, resolveRelative)}</h3>`
      case "paragraph":
        return html`<p>${renderInline(block.text, resolveRelative)}</p>`
      case "quote":
        return html`<blockquote>${renderInline(block.text, resolveRelative)}</blockquote>`
      case "code":
        return html`<pre><code>${block.text}</code></pre>`
      case "list": {
        const items = block.items.map((item) => html`<li>${renderInline(item, resolveRelative)}</li>`)
        return block.ordered ? html`<ol>${items}</ol>` : html`<ul>${items}</ul>`
      }
    }
    return nothing
  })}`

/** The first level-1 heading: a manual page's title. */
export const titleOf = (source: string) => {
  const first = parseBlocks(source).find((block) => block.kind === "heading" && block.level === 1)
  return first?.kind === "heading" ? first.text : ""
}
