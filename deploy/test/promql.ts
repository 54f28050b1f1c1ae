/**
 * Metric names used by PromQL expressions, without a PromQL parser: the expressions in deploy/
 * only need the common grammar (selectors, ranges, functions, aggregations, binary operators).
 * Everything that is not a metric name is removed first: strings, label matchers, ranges,
 * grouping label lists, Grafana variables and numbers. What is left and is not a keyword or a
 * function call is a metric name.
 */
const KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan"])

export const metricNames = (expr: string): ReadonlySet<string> => {
  const cleaned = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, " ") // string literals (may hold braces)
    .replace(/\{[^}]*\}/g, " ") // label matchers
    .replace(/\[[^\]]*\]/g, " ") // ranges and subqueries, e.g. [5m] or [$__rate_interval]
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, " ") // label lists
    .replace(/\$\{[^}]*\}|\$\w+/g, " ") // Grafana variables
    .replace(/(?<![\w:])(?:0x[0-9a-f]+|\d[\d_]*(?:\.\d+)?(?:e[+-]?\d+)?(?:ms|[smhdwy])*)/gi, " ") // numbers, durations
  const names = new Set<string>()
  for (const match of cleaned.matchAll(/[a-zA-Z_:][\w:]*(?!\s*\(|[\w:])/g)) {
    const token = match[0]
    if (!KEYWORDS.has(token.toLowerCase())) names.add(token)
  }
  return names
}

/** Names that Prometheus itself attaches to every target: used in rules, never exported by the master. */
export const PROMETHEUS_SYNTHETIC = new Set(["up"])

/** The base names a sample name can belong to: itself, or a histogram/summary family. */
export const familyCandidates = (name: string): ReadonlyArray<{ family: string; suffix: string }> => {
  const candidates = [{ family: name, suffix: "" }]
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    if (name.endsWith(suffix)) candidates.push({ family: name.slice(0, -suffix.length), suffix })
  }
  return candidates
}

/** `# TYPE name kind` lines of a Prometheus text exposition: every exported family and its kind. */
export const exportedFamilies = (exposition: string): ReadonlyMap<string, string> =>
  new Map([...exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!] as const))

/**
 * Whether `name` as used in an expression is exported: as a family itself, or as the `_bucket`,
 * `_sum` or `_count` series of a histogram (`_sum`/`_count` also of a summary).
 */
export const isExported = (name: string, families: ReadonlyMap<string, string>): boolean =>
  familyCandidates(name).some(({ family, suffix }) => {
    const kind = families.get(family)
    if (kind === undefined) return false
    if (suffix === "") return kind !== "histogram" // a bare histogram name selects nothing
    if (suffix === "_bucket") return kind === "histogram"
    return kind === "histogram" || kind === "summary"
  })
