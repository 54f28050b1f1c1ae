import { Either } from "effect"

/**
 * A small XML reader for the one document VirtualHere emits (`GET CLIENT STATE`): elements with
 * attributes, nothing else that matters. Written here rather than using fast-xml-parser because the
 * parser must be total (never throw, linear time on any input, including random bytes), keep the
 * attribute order for printing back, and stay dependency-free in the browser bundle. Text content,
 * comments, processing instructions and DOCTYPE are skipped; entities in attribute values are decoded.
 */
export interface XmlElement {
  readonly name: string
  readonly attributes: ReadonlyArray<readonly [string, string]>
  readonly children: ReadonlyArray<XmlElement>
}

interface MutableElement {
  name: string
  attributes: Array<readonly [string, string]>
  children: Array<MutableElement>
}

const nameStart = /[A-Za-z_:]/
const nameChar = /[A-Za-z0-9_:.-]/

const decodeEntities = (value: string): string =>
  value.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);/g, (whole, body: string) => {
    switch (body) {
      case "amp":
        return "&"
      case "lt":
        return "<"
      case "gt":
        return ">"
      case "quot":
        return '"'
      case "apos":
        return "'"
    }
    const code = body.startsWith("#x") ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10)
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole
  })

export const escapeXmlAttribute = (value: string): string =>
  value.replace(/[&<>"\u0000-\u001f\u007f]/g, (char) => {
    switch (char) {
      case "&":
        return "&amp;"
      case "<":
        return "&lt;"
      case ">":
        return "&gt;"
      case '"':
        return "&quot;"
      default:
        return `&#${char.charCodeAt(0)};`
    }
  })

/** Reads the elements of a document; the result is the list of top-level elements. */
export const readXml = (text: string): Either.Either<ReadonlyArray<XmlElement>, string> => {
  const roots: Array<MutableElement> = []
  const stack: Array<MutableElement> = []
  let i = 0
  const n = text.length
  const skipSpace = () => {
    while (i < n && /\s/.test(text[i]!)) i++
  }
  const readName = (): string | undefined => {
    if (i >= n || !nameStart.test(text[i]!)) return undefined
    const start = i
    while (i < n && nameChar.test(text[i]!)) i++
    return text.slice(start, i)
  }
  while (i < n) {
    const lt = text.indexOf("<", i)
    if (lt < 0) break
    i = lt
    if (text.startsWith("<!--", i)) {
      const end = text.indexOf("-->", i + 4)
      if (end < 0) return Either.left("unterminated comment")
      i = end + 3
      continue
    }
    if (text.startsWith("<?", i) || text.startsWith("<!", i)) {
      const end = text.indexOf(">", i + 2)
      if (end < 0) return Either.left("unterminated declaration")
      i = end + 1
      continue
    }
    if (text.startsWith("</", i)) {
      i += 2
      const name = readName()
      skipSpace()
      if (name === undefined || text[i] !== ">") return Either.left(`malformed closing tag at ${lt}`)
      i++
      const open = stack.pop()
      if (!open || open.name !== name) return Either.left(`</${name}> does not close ${open ? `<${open.name}>` : "anything"}`)
      continue
    }
    i++
    const name = readName()
    if (name === undefined) return Either.left(`malformed tag at ${lt}`)
    const element: MutableElement = { name, attributes: [], children: [] }
    let selfClosing = false
    for (;;) {
      skipSpace()
      if (i >= n) return Either.left(`unterminated <${name}>`)
      if (text[i] === ">") {
        i++
        break
      }
      if (text[i] === "/" && text[i + 1] === ">") {
        i += 2
        selfClosing = true
        break
      }
      const key = readName()
      if (key === undefined) return Either.left(`malformed attribute in <${name}> at ${i}`)
      skipSpace()
      if (text[i] !== "=") return Either.left(`attribute ${key} has no value`)
      i++
      skipSpace()
      const quote = text[i]
      if (quote !== '"' && quote !== "'") return Either.left(`attribute ${key} is not quoted`)
      const close = text.indexOf(quote, i + 1)
      if (close < 0) return Either.left(`attribute ${key} is not terminated`)
      const raw = text.slice(i + 1, close)
      if (raw.includes("<")) return Either.left(`attribute ${key} contains '<'`)
      element.attributes.push([key, decodeEntities(raw)])
      i = close + 1
    }
    const parent = stack[stack.length - 1]
    if (parent) parent.children.push(element)
    else roots.push(element)
    if (!selfClosing) stack.push(element)
  }
  if (stack.length > 0) return Either.left(`<${stack[stack.length - 1]!.name}> is never closed`)
  return Either.right(roots)
}
