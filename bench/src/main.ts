/**
 * `npm run bench -- <scenario> [--flags]`: runs one scenario against a real master started for the
 * run, prints the result table and writes it (JSON and Markdown) to bench/results/.
 */
import { installInterruptHandlers } from "./cleanup.js"
import { describeFlags, type FlagSpecs, parseFlags, splitArgs, UsageError } from "./args.js"
import { type Result, writeResult } from "./report.js"
import { fleetFlags, runFleet } from "./scenarios/fleet.js"
import { leasesFlags, LeasesUnavailable, runLeases } from "./scenarios/leases.js"
import { loginFlags, runLogin } from "./scenarios/login.js"
import { readsFlags, runReads } from "./scenarios/reads.js"
import { renderMarkdown } from "./report.js"

interface Scenario {
  readonly about: string
  readonly flags: FlagSpecs
  readonly run: (flags: never, command: string) => Promise<Result>
}

const scenarios: Readonly<Record<string, Scenario>> = {
  fleet: { about: "N simulated slaves × M devices reporting at an interval, with churn and offline slaves", flags: fleetFlags, run: runFleet },
  reads: { about: "device list and search, cache warm and cold (autocannon)", flags: readsFlags, run: runReads },
  login: { about: "password sign-in, bcrypt-bound (autocannon)", flags: loginFlags, run: runLogin },
  leases: { about: "lease acquire/release churn across many users and devices", flags: leasesFlags, run: runLeases }
}

const usage = () =>
  [
    "usage: npm run bench -- <scenario> [--flag value ...]",
    "",
    ...Object.entries(scenarios).flatMap(([name, s]) => [`${name}: ${s.about}`, describeFlags(s.flags), ""])
  ].join("\n")

const main = async () => {
  installInterruptHandlers()
  const { positionals, raw } = splitArgs(process.argv.slice(2))
  const name = positionals[0]
  if (name === undefined || raw.has("help") || name === "help") {
    process.stdout.write(`${usage()}\n`)
    return 0
  }
  const scenario = scenarios[name]
  if (!scenario) throw new UsageError(`unknown scenario ${name} (one of: ${Object.keys(scenarios).join(", ")})`)
  const flags = parseFlags(scenario.flags, raw)
  const command = `npm run bench -- ${process.argv.slice(2).join(" ")}`
  const result = await scenario.run(flags as never, command)
  const files = writeResult(result)
  process.stdout.write(`${renderMarkdown(result)}\nwritten: ${files.json}\n         ${files.markdown}\n`)
  return result.checks.every((check) => check.pass) ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${usage()}\n`)
      process.exit(64)
    }
    if (error instanceof LeasesUnavailable) {
      process.stderr.write(`${error.message}\n`)
      process.exit(2)
    }
    process.stderr.write(`bench failed: ${(error as Error)?.stack ?? String(error)}\n`)
    process.exit(1)
  }
)
