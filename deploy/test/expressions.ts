import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** deploy/monitoring, wherever the repository is checked out. */
export const monitoringDir = fileURLToPath(new URL("../monitoring/", import.meta.url))
export const dashboardFile = path.join(monitoringDir, "grafana/dashboards/ncod.json")
export const rulesDir = path.join(monitoringDir, "prometheus/rules")

export interface Expression {
  /** Where it comes from, for failure messages: "dashboard: <panel title>" or "rules: <alert>". */
  readonly where: string
  readonly expr: string
}

interface PanelLike {
  readonly title?: string
  readonly targets?: ReadonlyArray<{ readonly expr?: unknown }>
  readonly panels?: ReadonlyArray<PanelLike>
}

/** Every panel of a dashboard, including those inside (collapsed) rows. */
export const allPanels = (panels: ReadonlyArray<PanelLike>): ReadonlyArray<PanelLike> =>
  panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])])

export const dashboardExpressions = (): ReadonlyArray<Expression> => {
  const dashboard = JSON.parse(fs.readFileSync(dashboardFile, "utf8")) as { panels: ReadonlyArray<PanelLike> }
  return allPanels(dashboard.panels).flatMap((panel) =>
    (panel.targets ?? []).map((target) => {
      if (typeof target.expr !== "string") throw new Error(`dashboard panel "${panel.title}" has a target without expr`)
      return { where: `dashboard: ${panel.title}`, expr: target.expr }
    })
  )
}

/**
 * The `expr` of every rule in a Prometheus rules file. A line reader instead of a YAML library (the
 * repository has none): it understands `expr: <one line>` and block scalars `expr: |`, which is
 * all these files use; rulesExpressions checks it found one expression per rule.
 */
export const ruleExpressionsOf = (text: string): ReadonlyArray<{ rule: string; expr: string }> => {
  const lines = text.split("\n")
  const found: Array<{ rule: string; expr: string }> = []
  let rule = "?"
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const name = /^\s*- (?:alert|record):\s*(\S+)/.exec(line)
    if (name) rule = name[1]!
    const expr = /^(\s*)expr:\s*(.*)$/.exec(line)
    if (!expr) continue
    const indent = expr[1]!.length
    const value = expr[2]!.trim()
    if (value === "|" || value === ">" || value === "|-" || value === ">-") {
      const body: Array<string> = []
      while (i + 1 < lines.length && (lines[i + 1]!.trim() === "" || lines[i + 1]!.search(/\S/) > indent)) body.push(lines[++i]!.trim())
      found.push({ rule, expr: body.join(" ").trim() })
    } else {
      found.push({ rule, expr: value.replace(/^'(.*)'$|^"(.*)"$/, "$1$2") })
    }
  }
  return found
}

export const rulesExpressions = (): ReadonlyArray<Expression> =>
  fs
    .readdirSync(rulesDir)
    .filter((file) => file.endsWith(".yml"))
    .flatMap((file) => {
      const text = fs.readFileSync(path.join(rulesDir, file), "utf8")
      const rules = (text.match(/^\s*- (?:alert|record):/gm) ?? []).length
      const found = ruleExpressionsOf(text)
      if (found.length !== rules) throw new Error(`${file}: ${rules} rules but ${found.length} expressions read`)
      return found.map(({ rule, expr }) => ({ where: `rules/${file}: ${rule}`, expr }))
    })
