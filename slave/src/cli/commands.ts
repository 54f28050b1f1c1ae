import { Command, Options } from "@effect/cli"
import { Config, Console, Effect, Either, Option } from "effect"
import * as fs from "node:fs/promises"
import type { AgentHealth } from "../agent/Health.js"
import { runAgent } from "../agent/Agent.js"
import { loadEnrollment, removeEnrollment } from "../config/Enrollment.js"
import { readIfExists, writeAtomically } from "../config/files.js"
import { type AgentPaths, configFiles, defaultPaths, resolvePaths } from "../config/Paths.js"
import { loadSettings } from "../config/Settings.js"
import { askAgent } from "../hook/protocol.js"
import { classifyFailure, enrolledApi } from "../link/MasterApi.js"
import { agentVersion } from "../version.js"
import { CliError, QuietFailure } from "./CliError.js"
import { enroll } from "./enroll.js"
import { formatStatus } from "./statusText.js"
import { planVhusbdConfig } from "./vhusbdConfig.js"

const pathOption = (name: string, what: string) => Options.text(name).pipe(Options.optional, Options.withDescription(what))

const root = Command.make("ncod-slave", {
  configDir: pathOption("config-dir", "settings and credential (default NCOD_SLAVE_CONFIG_DIR or /etc/ncod-slave)"),
  stateDir: pathOption("state-dir", "sequence number, last inventory (default NCOD_SLAVE_STATE_DIR or /var/lib/ncod-slave)"),
  socket: pathOption("socket", "the agent's local socket (default NCOD_SLAVE_SOCKET or /run/ncod-slave/agent.sock)")
})

const paths = Effect.map(root, (flags): AgentPaths =>
  resolvePaths({
    ...Option.match(flags.configDir, { onNone: () => ({}), onSome: (configDir) => ({ configDir }) }),
    ...Option.match(flags.stateDir, { onNone: () => ({}), onSome: (stateDir) => ({ stateDir }) }),
    ...Option.match(flags.socket, { onNone: () => ({}), onSome: (socketPath) => ({ socketPath }) })
  })
)

const settingsFor = (resolved: AgentPaths) =>
  loadSettings(configFiles(resolved).settings).pipe(Effect.mapError((error) => new CliError({ reason: error.message })))

const enrollCommand = Command.make(
  "enroll",
  {
    master: Options.text("master").pipe(Options.withDescription("the master's URL, e.g. https://ncod.example.com:8443")),
    token: Options.redacted("token").pipe(
      Options.withFallbackConfig(Config.redacted("NCOD_ENROLL_TOKEN")),
      Options.withDescription("enrollment token from the admin app (or NCOD_ENROLL_TOKEN)")
    ),
    name: Options.text("name").pipe(Options.optional, Options.withDescription("display name (default: this host's name)")),
    host: Options.text("host").pipe(Options.optional, Options.withDescription("where users' VirtualHere clients reach this slave (default: host name)")),
    vhPort: Options.integer("vh-port").pipe(Options.optional, Options.withDescription("vhusbd's TCP port (default: NCOD_SLAVE_VHUSBD_PORT or 7575)")),
    caFile: Options.text("ca-file").pipe(
      Options.withFallbackConfig(Config.string("NCOD_CA_FILE")),
      Options.optional,
      Options.withDescription("the master's CA certificate (ca.crt) to pin (or NCOD_CA_FILE)")
    ),
    caFingerprint: Options.text("ca-fingerprint").pipe(
      Options.optional,
      Options.withDescription("expected SHA-256 fingerprint of the master's CA, sha256:AB:CD:…")
    ),
    labels: Options.keyValueMap("label").pipe(Options.optional, Options.withDescription("label key=value (repeatable)"))
  },
  (options) =>
    Effect.gen(function* () {
      const resolved = yield* paths
      const settings = yield* settingsFor(resolved)
      yield* enroll(resolved, { ...options, vhPort: Option.getOrElse(options.vhPort, () => settings.vhusbdPort), agentVersion })
    })
).pipe(Command.withDescription("register this slave with the master using an admin-issued enrollment token"))

const runCommand = Command.make("run", {}, () =>
  Effect.gen(function* () {
    const resolved = yield* paths
    const settings = yield* settingsFor(resolved)
    return yield* runAgent({ paths: resolved, settings, version: agentVersion }).pipe(Effect.mapError((error) => new CliError({ reason: error.message })))
  })
).pipe(Command.withDescription("run the agent: scan, report, keep the grants link, answer vhusbd's hook"))

const statusCommand = Command.make(
  "status",
  { json: Options.boolean("json").pipe(Options.withDescription("print the running agent's state as JSON")) },
  ({ json }) =>
    Effect.gen(function* () {
      const resolved = yield* paths
      const answer = yield* Effect.either(Effect.tryPromise(() => askAgent(resolved.socketPath, { v: 1, op: "status" }, 3_000)))
      const reply = Either.isRight(answer) ? (answer.right as { ok?: boolean; status?: AgentHealth }) : undefined
      if (reply?.ok === true && reply.status !== undefined) {
        yield* Console.log(json ? JSON.stringify(reply.status, null, 2) : formatStatus(reply.status))
        // for health checks: healthy means the master takes our reports
        if (reply.status.master.state !== "reachable") return yield* new QuietFailure()
        return
      }
      const problem = Either.isLeft(answer) ? (answer.left.error as Error).message : "the agent gave no status"
      const reason =
        problem === "the agent is not running"
          ? `nothing answers on ${resolved.socketPath}`
          : /EACCES|EPERM/.test(problem)
            ? `not allowed to open ${resolved.socketPath}: run as root`
            : problem
      const enrolled = yield* loadEnrollment(resolved).pipe(Effect.orElseSucceed(() => Option.none()))
      const slave = Option.match(enrolled, {
        onNone: () => "not enrolled",
        onSome: ({ record }) => `${record.name} (${record.slaveId}) → ${record.masterUrl}`
      })
      const state = /not allowed/.test(reason) ? "unknown" : "not running"
      yield* Console.log(json ? JSON.stringify({ agent: state, reason, slave }, null, 2) : `agent      ${state} (${reason})\nslave      ${slave}`)
      return yield* new QuietFailure()
    })
).pipe(Command.withDescription("show what the running agent knows; exits 1 unless the master takes its reports"))

const deregisterCommand = Command.make(
  "deregister",
  { force: Options.boolean("force").pipe(Options.withDescription("forget the enrollment here even when the master cannot be told")) },
  ({ force }) =>
    Effect.gen(function* () {
      const resolved = yield* paths
      const enrolled = yield* loadEnrollment(resolved).pipe(Effect.mapError((error) => new CliError({ reason: error.message })))
      if (Option.isNone(enrolled)) return yield* new CliError({ reason: "this machine is not enrolled" })
      const { record } = enrolled.value
      const api = yield* enrolledApi(enrolled.value)
      const result = yield* Effect.either(api.deregister({ path: { id: record.slaveId } }).pipe(Effect.timeout("30 seconds")))
      if (Either.isLeft(result)) {
        const failure = classifyFailure(result.left)
        // a master that no longer knows or accepts this slave has nothing left to remove
        const gone = failure.kind === "rejected" || failure.kind === "decommissioned"
        if (!gone && !force) return yield* new CliError({ reason: `cannot deregister at ${record.masterUrl}: ${failure.detail} (--force forgets it here anyway)` })
        yield* Console.log(`the master did not confirm (${failure.detail}); forgetting the enrollment here`)
      }
      yield* removeEnrollment(resolved).pipe(Effect.mapError((error) => new CliError({ reason: error.message })))
      yield* Console.log(`deregistered ${record.name} (${record.slaveId}) from ${record.masterUrl}`)
    })
).pipe(Command.withDescription("remove this slave from the master and forget its credential"))

const configureVhusbdCommand = Command.make(
  "configure-vhusbd",
  {
    config: Options.text("config").pipe(Options.withDefault("/usr/local/etc/virtualhere/config.ini"), Options.withDescription("vhusbd's config.ini")),
    hook: Options.text("hook").pipe(Options.withDefault("/usr/local/bin/ncod-slave-hook"), Options.withDescription("path of ncod-slave-hook")),
    advisory: Options.boolean("advisory").pipe(Options.withDescription("no ClientAuthorization: access not enforced")),
    noEvents: Options.boolean("no-events").pipe(Options.withDescription("do not install the event hooks")),
    force: Options.boolean("force").pipe(Options.withDescription("replace a ClientAuthorization that is not ncod's")),
    remove: Options.boolean("remove").pipe(Options.withDescription("take ncod's lines out again")),
    dryRun: Options.boolean("dry-run").pipe(Options.withDescription("print the resulting file instead of writing it"))
  },
  (options) =>
    Effect.gen(function* () {
      const resolved = yield* paths
      const current = yield* readIfExists(options.config).pipe(Effect.mapError((error) => new CliError({ reason: error.message })))
      const planned = planVhusbdConfig(current ?? "", {
        hook: options.hook,
        socket: resolved.socketPath === defaultPaths.socketPath ? undefined : resolved.socketPath,
        advisory: options.advisory,
        events: !options.noEvents,
        force: options.force,
        remove: options.remove
      })
      if (Either.isLeft(planned)) return yield* new CliError({ reason: `${options.config}: ${planned.left}` })
      const plan = planned.right
      for (const warning of plan.warnings) yield* Console.error(`warning: ${warning}`)
      if (options.dryRun) return yield* Console.log(plan.text.trimEnd())
      if (plan.changes.length === 0 && current !== undefined) return yield* Console.log(`${options.config}: already configured`)
      const mode = yield* Effect.promise(() => fs.stat(options.config).then((stat) => stat.mode & 0o777, () => 0o644))
      yield* writeAtomically(options.config, plan.text, mode).pipe(Effect.mapError((error) => new CliError({ reason: error.message })))
      yield* Console.log(`${options.config}: ${plan.changes.join(", ") || "created"} (restart vhusbd to apply)`)
    })
).pipe(Command.withDescription("write vhusbd's config.ini: the authorization hook and the event hooks"))

/** `ncod-slave version`, for install.sh's checks and support requests. */
const versionCommand = Command.make("version", {}, () => Console.log(agentVersion)).pipe(
  Command.withDescription("print the agent's version")
)

export const slaveCli = root.pipe(
  Command.withDescription("ncod slave agent: shares this machine's USB devices through vhusbd under the master's leases"),
  Command.withSubcommands([enrollCommand, runCommand, statusCommand, deregisterCommand, configureVhusbdCommand, versionCommand])
)
