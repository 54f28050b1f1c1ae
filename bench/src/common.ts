/** Flags every scenario takes, and the master settings they turn into. */
import type { FlagSpecs, FlagValues } from "./args.js"
import { UsageError } from "./args.js"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { type MasterSettings, repoRoot } from "./master.js"

export const commonFlags = {
  database: { kind: "string", default: "auto", choices: ["auto", "postgres", "embedded"], help: "auto: a throwaway database on the server of DATABASE_URL when set, else the embedded one" },
  redis: { kind: "boolean", default: false, help: "give the master Redis (REDIS_URL, else redis://127.0.0.1:6379) with a unique prefix" },
  insecure: { kind: "boolean", default: false, help: "plain HTTP (NCOD_INSECURE_HTTP=true) for pure-throughput runs" },
  dbPool: { kind: "number", default: 10, min: 1, max: 200, help: "NCOD_DB_POOL_SIZE" },
  masterWorkers: { kind: "number", default: 1, min: 1, max: 64, help: "NCOD_WORKERS: master processes sharing the port (above 1 needs --redis and PostgreSQL; inspector figures are worker 0's)" },
  keepDb: { kind: "boolean", default: false, help: "keep the throwaway database afterwards" },
  profile: { kind: "string", default: "", help: "CPU-profile the master during this phase (fleet: warmup|steady|churn|probe; reads: cached|uncached; login; leases)" },
  env: { kind: "string", default: "", help: "extra master settings, e.g. NCOD_LOG_LEVEL=error,NCOD_BCRYPT_COST=10" },
  masterCheckout: { kind: "string", default: "", help: "run the master of another checkout (after npm install there), e.g. to compare a fix with its parent; default: this one" },
  waitQuiet: { kind: "number", default: 0, min: 0, help: "wait up to this many seconds for the machine to be < 15 % busy before starting (other jobs skew figures)" }
} as const satisfies FlagSpecs

export type CommonFlags = FlagValues<typeof commonFlags>

export const postgresServer = (flags: CommonFlags): string | undefined => {
  const url = process.env["DATABASE_URL"]
  if (flags.database === "embedded") return undefined
  if (flags.database === "postgres" && !url) throw new UsageError("--database postgres needs DATABASE_URL (the server to create a throwaway database on)")
  return url || undefined
}

export const extraEnv = (flags: CommonFlags): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const pair of flags.env.split(",").filter((p) => p.trim() !== "")) {
    const eq = pair.indexOf("=")
    if (eq < 1) throw new UsageError(`--env takes NAME=value pairs, not ${pair}`)
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim()
  }
  return out
}

export const masterSettings = (flags: CommonFlags, label: string, env: Record<string, string>): MasterSettings => {
  if (flags.masterWorkers > 1 && (!flags.redis || postgresServer(flags) === undefined)) {
    throw new UsageError("--master-workers above 1 needs --redis and PostgreSQL (DATABASE_URL): the workers share them")
  }
  return {
  label,
  postgresServer: postgresServer(flags),
  redisUrl: flags.redis ? process.env["REDIS_URL"] || "redis://127.0.0.1:6379" : undefined,
  insecureHttp: flags.insecure,
  env: {
    NCOD_DB_POOL_SIZE: String(flags.dbPool),
    ...(flags.masterWorkers > 1 ? { NCOD_WORKERS: String(flags.masterWorkers) } : {}),
    ...env,
    ...extraEnv(flags)
  },
  inspect: true,
  keepDatabase: flags.keepDb,
  checkout: checkoutOf(flags)
  }
}

const checkoutOf = (flags: CommonFlags) => {
  if (flags.masterCheckout === "") return repoRoot
  const dir = path.resolve(flags.masterCheckout)
  if (!fs.existsSync(path.join(dir, "master/bin/ncod-master.js"))) throw new UsageError(`--master-checkout ${dir} has no master/bin/ncod-master.js`)
  return dir
}

export const environmentSettings = (settings: MasterSettings, database: string) => ({
  database: settings.postgresServer === undefined ? "embedded (PGlite, one connection, inside the master process)" : `PostgreSQL ${database} (throwaway database)`,
  redis: settings.redisUrl === undefined ? "none (in-process cache, rate limits and events)" : "Redis (unique prefix)",
  transport: settings.insecureHttp ? "plain HTTP (NCOD_INSECURE_HTTP=true)" : "HTTPS (the master's own keys)",
  master: masterRevision(settings.checkout),
  masterEnv: settings.env
})

/** The commit the master ran from, and whether its checkout had uncommitted changes. */
export const masterRevision = (checkout: string): string => {
  try {
    const head = execFileSync("git", ["-C", checkout, "rev-parse", "--short", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim()
    const dirty = execFileSync("git", ["-C", checkout, "status", "--porcelain", "--", "master", "core", "sql"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim()
    return `${head}${dirty === "" ? "" : " + uncommitted changes in master/core/sql"} (${checkout})`
  } catch {
    const stamp = path.join(checkout, "REVISION")
    return fs.existsSync(stamp) ? `${fs.readFileSync(stamp, "utf8").trim()} (${checkout})` : checkout
  }
}
