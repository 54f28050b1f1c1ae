/** Command-line flags of a scenario: `--name value`, `--name=value`, or `--name` alone for booleans. */

export type FlagSpec =
  | { readonly kind: "number"; readonly default: number; readonly help: string; readonly min?: number; readonly max?: number }
  | { readonly kind: "string"; readonly default: string; readonly help: string; readonly choices?: ReadonlyArray<string> }
  | { readonly kind: "boolean"; readonly default: boolean; readonly help: string }

export type FlagSpecs = Readonly<Record<string, FlagSpec>>

export type FlagValues<S extends FlagSpecs> = {
  readonly [K in keyof S]: S[K] extends { kind: "number" } ? number : S[K] extends { kind: "boolean" } ? boolean : string
}

export class UsageError extends Error {}

/** Splits argv into the scenario name and raw `--flag` values (last one wins). */
export const splitArgs = (argv: ReadonlyArray<string>) => {
  const positionals: Array<string> = []
  const raw = new Map<string, string | true>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (!arg.startsWith("--")) {
      positionals.push(arg)
      continue
    }
    const body = arg.slice(2)
    const eq = body.indexOf("=")
    if (eq >= 0) {
      raw.set(body.slice(0, eq), body.slice(eq + 1))
      continue
    }
    const next = argv[i + 1]
    if (next !== undefined && !next.startsWith("--")) {
      raw.set(body, next)
      i++
    } else raw.set(body, true)
  }
  return { positionals, raw }
}

const toCamel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
const toKebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

/** Checks raw flags against the specs (names in kebab-case on the command line, camelCase in code). */
export const parseFlags = <S extends FlagSpecs>(specs: S, raw: ReadonlyMap<string, string | true>): FlagValues<S> => {
  const values: Record<string, unknown> = {}
  const known = new Set(Object.keys(specs).map(toKebab))
  for (const name of raw.keys()) {
    if (!known.has(name)) throw new UsageError(`unknown flag --${name} (known: ${[...known].map((k) => `--${k}`).join(", ")})`)
  }
  for (const [key, spec] of Object.entries(specs)) {
    const given = raw.get(toKebab(key))
    if (given === undefined) {
      values[key] = spec.default
      continue
    }
    switch (spec.kind) {
      case "boolean":
        if (given === true || given === "true") values[key] = true
        else if (given === "false") values[key] = false
        else throw new UsageError(`--${toKebab(key)} takes true or false, not ${given}`)
        break
      case "number": {
        const n = given === true ? Number.NaN : Number(given)
        if (!Number.isFinite(n)) throw new UsageError(`--${toKebab(key)} needs a number`)
        if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
          throw new UsageError(`--${toKebab(key)} must be from ${spec.min ?? "-∞"} to ${spec.max ?? "∞"}`)
        }
        values[key] = n
        break
      }
      case "string":
        if (given === true) throw new UsageError(`--${toKebab(key)} needs a value`)
        if (spec.choices && !spec.choices.includes(given)) {
          throw new UsageError(`--${toKebab(key)} must be one of ${spec.choices.join(", ")}`)
        }
        values[key] = given
        break
    }
  }
  return values as FlagValues<S>
}

/** One line per flag, for `--help`. */
export const describeFlags = (specs: FlagSpecs) =>
  Object.entries(specs)
    .map(([key, spec]) => {
      const name = `--${toKebab(key)}`
      const choices = spec.kind === "string" && spec.choices ? ` (${spec.choices.join("|")})` : ""
      return `  ${name.padEnd(24)} ${spec.help}${choices} [${String(spec.default)}]`
    })
    .join("\n")

export { toCamel, toKebab }
