import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

// No container engine runs here, so `docker build` cannot prove the Dockerfile. These checks
// prove what can go wrong silently without one: a workspace the build never copies, a stage
// that misses a workspace dependency, an entry point that is not the package's bin, a root user,
// a secret in the build context. (Syntax: dockerfile-utils lint in deploy/check.sh; the runtime
// layout actually running: deploy/docker/smoke-layout.sh.)

const root = fileURLToPath(new URL("../../", import.meta.url))
const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8")

interface Instruction {
  readonly keyword: string
  readonly args: string
}
interface Stage {
  readonly name: string
  readonly from: string
  readonly instructions: ReadonlyArray<Instruction>
}

const parseDockerfile = (text: string): ReadonlyArray<Stage> => {
  const logical = text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
  const stages: Array<{ name: string; from: string; instructions: Array<Instruction> }> = []
  for (const line of logical) {
    const [keyword = "", ...rest] = line.split(/\s+/)
    const args = rest.join(" ")
    if (keyword.toUpperCase() === "FROM") {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args)
      if (!match) throw new Error(`cannot read FROM ${args}`)
      stages.push({ name: match[2] ?? `#${stages.length}`, from: match[1]!, instructions: [] })
    } else if (stages.length > 0) {
      stages.at(-1)!.instructions.push({ keyword: keyword.toUpperCase(), args })
    }
  }
  return stages
}

const stages = parseDockerfile(read("deploy/docker/Dockerfile"))
const stage = (name: string) => {
  const found = stages.find((s) => s.name === name)
  if (!found) throw new Error(`no stage ${name}`)
  return found
}
const args = (s: Stage, keyword: string) => s.instructions.filter((i) => i.keyword === keyword).map((i) => i.args)
/** A stage's instructions including those of the stages it is built FROM. */
const lineage = (name: string): ReadonlyArray<Stage> => {
  const s = stage(name)
  return stages.some((other) => other.name === s.from) ? [...lineage(s.from), s] : [s]
}

const workspaces = (JSON.parse(read("package.json")) as { workspaces: ReadonlyArray<string> }).workspaces
const manifest = (ws: string) =>
  JSON.parse(read(`${ws}/package.json`)) as { name: string; dependencies?: Record<string, string>; bin?: Record<string, string> }
const byName = new Map(workspaces.map((ws) => [manifest(ws).name, ws]))
/** A workspace and every workspace it depends on, transitively. */
const closure = (ws: string): ReadonlySet<string> => {
  const deps = Object.keys(manifest(ws).dependencies ?? {}).flatMap((dep) => (byName.has(dep) ? [byName.get(dep)!] : []))
  return new Set([ws, ...deps.flatMap((dep) => [...closure(dep)])])
}
const copiedManifests = (s: Stage) =>
  new Set(args(s, "COPY").flatMap((a) => (/^(\w+)\/package\.json\s+\1\/$/.exec(a) ? [a.split("/")[0]!] : [])))

describe("the Dockerfile", () => {
  it("builds from Node 22 LTS on Debian bookworm (slim)", () => {
    expect(read("deploy/docker/Dockerfile")).toMatch(/^ARG NODE_IMAGE=node:22-bookworm-slim$/m)
    for (const s of stages.filter((s) => !stages.some((o) => o.name === s.from))) expect(s.from).toBe("${NODE_IMAGE}")
  })

  it("copies every workspace manifest before npm ci in the build stage", () => {
    expect([...copiedManifests(stage("build"))].sort()).toEqual([...workspaces].sort())
  })

  for (const target of ["master", "slave"]) {
    describe(`target ${target}`, () => {
      const needed = [...closure(target)].sort()

      it(`installs production dependencies of ${target} and its workspaces only`, () => {
        const deps = stage(`${target}-deps`)
        expect([...copiedManifests(deps)].sort()).toEqual(needed)
        expect(args(deps, "RUN").join(" ")).toContain(`npm ci --omit=dev --no-audit --no-fund --workspace=${target}`)
      })

      it("stages the built files of every workspace it needs", () => {
        const staged = args(stage("build"), "RUN")
          .join(" ")
          .match(new RegExp(`stage-app\\.sh /out/${target} ([\\w ]+?)(?: &&|$)`))?.[1]
          ?.split(" ")
        expect(staged).toBeDefined()
        expect(needed.filter((ws) => !staged!.includes(ws))).toEqual([])
      })

      it("runs as the unprivileged ncod user with a health check", () => {
        const all = lineage(target)
        const users = all.flatMap((s) => args(s, "USER"))
        expect(users.at(-1)).toBe("ncod")
        expect(args(stage(target), "HEALTHCHECK")).toHaveLength(1)
        expect(args(stage("runtime"), "RUN").join(" ")).toMatch(/useradd --system --uid 10001/)
      })

      it("starts the compiled program the package's bin runs", () => {
        // the bin is dist/bin.js itself, or a launcher that runs it in an install without sources
        const bin = Object.values(manifest(target).bin ?? {})[0] ?? ""
        expect(bin === "./dist/bin.js" || read(`${target}/${bin}`).includes("../dist/bin.js"), bin).toBe(true)
        expect(args(stage(target), "ENTRYPOINT")).toEqual([`["node", "/app/${target}/dist/bin.js"]`])
        for (const from of args(stage(target), "COPY").flatMap((a) => /^--from=(\S+)/.exec(a)?.[1] ?? [])) {
          expect(stages.map((s) => s.name)).toContain(from)
        }
      })
    })
  }

  it("copies only files that exist from the build context", () => {
    const sources = stages.flatMap((s) =>
      args(s, "COPY")
        .filter((a) => !a.startsWith("--from="))
        .flatMap((a) => a.split(/\s+/).slice(0, -1))
        .filter((source) => source !== ".")
    )
    expect(sources.filter((source) => !fs.existsSync(path.join(root, source)))).toEqual([])
  })

  it("bakes in no secret and keeps them out of the build context", () => {
    const text = read("deploy/docker/Dockerfile")
    expect(text).not.toMatch(/^\s*(ENV|ARG)\s+\S*(PASSWORD|SECRET|TOKEN|DATABASE_URL|REDIS_URL)/im)
    const ignore = read("deploy/docker/Dockerfile.dockerignore").split("\n")
    for (const pattern of ["**/node_modules", ".ncod", "**/.ncod", "**/.env", "deploy/docker/secrets", "deploy/docker/keys", "**/*.key", "**/*.jwk.json"]) {
      expect(ignore).toContain(pattern)
    }
  })
})
