/**
 * The error reference: every `code` a caller can see, with its HTTP status, when it happens (the
 * error class's doc comment), the fields it carries, the operations that declare it, and its
 * English and Chinese messages exactly as the master renders them (`errorMessages`).
 */
import { HttpApiSchema } from "@effect/platform"
import * as core from "@ncod/core"
import { SchemaAST } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { banner, cell, out, read, repo, SourceDrift, write } from "./paths.js"

interface ErrorClass {
  readonly name: string
  readonly code: string
  readonly status: number
  readonly fields: ReadonlyArray<string>
  /** Literal values of a `reason` field, when it is a closed set (one message each). */
  readonly reasons: ReadonlyArray<string>
}

const literalsOf = (ast: SchemaAST.AST): ReadonlyArray<string> => {
  if (SchemaAST.isLiteral(ast) && typeof ast.literal === "string") return [ast.literal]
  if (SchemaAST.isUnion(ast)) return ast.types.flatMap(literalsOf)
  return []
}

const errorClasses = (): ReadonlyArray<ErrorClass> => {
  const found: Array<ErrorClass> = []
  for (const [name, value] of Object.entries(core)) {
    const fields = (value as { fields?: Record<string, { ast?: { type?: SchemaAST.AST } } & { ast?: SchemaAST.AST }> } | undefined)?.fields
    if (typeof value !== "function" || fields === undefined || !("code" in fields) || !("_tag" in fields)) continue
    const codeAst = fields["code"]?.ast?.type
    if (codeAst === undefined || !SchemaAST.isLiteral(codeAst) || typeof codeAst.literal !== "string") continue
    const reasonField = fields["reason"] as { ast?: SchemaAST.AST } | undefined
    found.push({
      name,
      code: codeAst.literal,
      status: HttpApiSchema.getStatusError(value as never),
      fields: Object.keys(fields).filter((field) => !["_tag", "code", "message"].includes(field)),
      reasons: reasonField?.ast ? literalsOf(reasonField.ast) : []
    })
  }
  return found.sort((a, b) => a.status - b.status || a.code.localeCompare(b.code))
}

/** Codes the master sends without a schema class (the request pipeline's own answers). */
const pipelineCodes = () => {
  const codes = new Map<string, { status: number; file: string }>()
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) {
        for (const match of fs.readFileSync(full, "utf8").matchAll(/errorResponse\((\d{3}), \{[^}]*code: "([A-Z_]+)"/g)) {
          codes.set(match[2]!, { status: Number(match[1]), file: path.relative(repo, full) })
        }
      }
    }
  }
  walk(path.join(repo, "master/src"))
  return codes
}

/** The doc comment right above `export class Name`, if any. */
const classComments = () => {
  const comments = new Map<string, string>()
  for (const file of fs.readdirSync(path.join(repo, "core/src/errors"))) {
    if (!file.endsWith(".ts") || file.endsWith(".test.ts")) continue
    const source = read(`core/src/errors/${file}`)
    for (const match of source.matchAll(/\/\*\*\s*([\s\S]*?)\s*\*\/\s*\nexport class (\w+)/g)) {
      comments.set(match[2]!, match[1]!.replace(/\n\s*\*\s?/g, " ").trim())
    }
  }
  return comments
}

/** Which operations of the OpenAPI document declare each error schema. */
const operationsByError = (openapi: { paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, unknown> }>> }) => {
  const uses = new Map<string, Array<string>>()
  for (const [route, methods] of Object.entries(openapi.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const text = JSON.stringify(operation.responses ?? {})
      for (const match of new Set([...text.matchAll(/#\/components\/schemas\/(\w+)/g)].map((m) => m[1]!))) {
        const list = uses.get(match) ?? []
        list.push(operation.operationId ?? `${method.toUpperCase()} ${route}`)
        uses.set(match, list)
      }
    }
  }
  return uses
}

const placeholderBody = (fields: ReadonlyArray<string>, reason?: string) => {
  const body: Record<string, unknown> = {}
  for (const field of fields) body[field] = field === "issues" ? [{ path: ["‹field›"] }] : `‹${field}›`
  if (reason !== undefined) body["reason"] = reason
  return body
}

/** The error reference fragment; throws SourceDrift when a code has no messages or vice versa. */
export const errorsPage = (openapi: Parameters<typeof operationsByError>[0]) => {
  const classes = errorClasses()
  const comments = classComments()
  const uses = operationsByError(openapi)
  const pipeline = pipelineCodes()
  const messages = core.errorMessages
  const classCodes = new Set(classes.map((c) => c.code))
  const orphans = Object.keys(messages).filter((code) => !classCodes.has(code) && !pipeline.has(code))
  const unmessaged = classes.filter((c) => messages[c.code] === undefined).map((c) => c.code)
  if (orphans.length > 0 || unmessaged.length > 0) {
    throw new SourceDrift(`error codes: messages without an error class or pipeline answer: ${orphans.join(", ") || "none"}; classes without messages: ${unmessaged.join(", ") || "none"}`)
  }
  const operationCount = Object.values(openapi.paths).reduce((n, methods) => n + Object.keys(methods).length, 0)

  const summary = ["| Code | HTTP | Error | Fields |", "|---|---|---|---|"]
  const sections: Array<string> = []
  const entries = [
    ...classes.map((c) => ({ ...c, source: "class" as const })),
    ...[...pipeline.entries()]
      .filter(([code]) => !classCodes.has(code))
      .map(([code, { file, status }]) => ({ name: "—", code, status, fields: [] as ReadonlyArray<string>, reasons: [] as ReadonlyArray<string>, source: file }))
  ].sort((a, b) => a.status - b.status || a.code.localeCompare(b.code))

  for (const entry of entries) {
    const anchor = entry.code.toLowerCase().replace(/_/g, "-")
    const fields = entry.fields.map((f) => `\`${f}\``).join(", ") || "—"
    summary.push(`| [\`${entry.code}\`](#${anchor}) | ${entry.status} | ${entry.name === "—" ? "—" : `\`${entry.name}\``} | ${fields} |`)
    const render = messages[entry.code]!
    const variants = entry.reasons.length > 1 ? entry.reasons.map((reason) => ({ label: `\`reason: ${reason}\``, body: placeholderBody(entry.fields, reason) })) : [{ label: "", body: placeholderBody(entry.fields) }]
    const lines = [`### ${entry.code} {#${anchor}}`, ""]
    lines.push(`**HTTP ${entry.status}**${entry.name === "—" ? ` · sent by the master's request pipeline (\`${entry.source}\`), not declared in the API` : ` · \`${entry.name}\``}${entry.fields.length > 0 ? ` · fields: ${fields}` : ""}`)
    lines.push("")
    const comment = comments.get(entry.name)
    if (comment) lines.push(comment, "")
    const declared = uses.get(entry.name) ?? []
    if (declared.length > 0) {
      lines.push(
        declared.length >= operationCount / 2
          ? `Declared by ${declared.length} of the ${operationCount} operations.`
          : `Declared by: ${declared.map((op) => `\`${op}\``).join(", ")}.`,
        ""
      )
    }
    lines.push(variants.length > 1 ? "| Reason | English | 中文 |" : "| English | 中文 |", variants.length > 1 ? "|---|---|---|" : "|---|---|")
    for (const variant of variants) {
      const en = cell(render.en(variant.body))
      const zh = cell(render.zh(variant.body))
      lines.push(variants.length > 1 ? `| ${variant.label} | ${en} | ${zh} |` : `| ${en} | ${zh} |`)
    }
    sections.push(lines.join("\n"))
  }
  return (
    banner("core/src/errors/", "master/src (pipeline answers)", "the OpenAPI document") +
    `${entries.length} codes. \`‹name›\` stands for a field of the error body.\n\n` +
    summary.join("\n") +
    "\n\n" +
    sections.join("\n\n") +
    "\n"
  )
}

export const generateErrors = (openapi: Parameters<typeof operationsByError>[0]) => write(path.join(out.generated, "errors.md"), errorsPage(openapi))
