import { Prompt } from "@effect/cli"
import { Console, Effect, HashMap, Option, Redacted } from "effect"
import * as os from "node:os"
import { type CaPinningError, caFromPem, fetchPresentedRoot, type PinnedCa, sameFingerprint } from "../config/CaPinning.js"
import { type EnrollmentRecord, loadEnrollment, saveEnrollment } from "../config/Enrollment.js"
import { readIfExists } from "../config/files.js"
import { machineFingerprint } from "../config/MachineIdentity.js"
import { type AgentPaths, configFiles } from "../config/Paths.js"
import { agentApi, classifyFailure } from "../link/MasterApi.js"
import { CliError } from "./CliError.js"

export interface EnrollOptions {
  readonly master: string
  readonly token: Redacted.Redacted<string>
  readonly name: Option.Option<string>
  readonly host: Option.Option<string>
  readonly vhPort: number
  readonly caFile: Option.Option<string>
  readonly caFingerprint: Option.Option<string>
  readonly labels: Option.Option<HashMap.HashMap<string, string>>
  readonly agentVersion: string
}

const masterUrl = (text: string) =>
  Effect.gen(function* () {
    const url = yield* Effect.try({ try: () => new URL(text), catch: () => new CliError({ reason: `--master ${text} is not a URL (https://host:port)` }) })
    if (url.protocol !== "https:") return yield* new CliError({ reason: "--master must be an https:// URL: the credential must never travel in clear" })
    return url.toString().replace(/\/+$/, "")
  })

const pinError = (error: CaPinningError) => new CliError({ reason: error.reason })

/**
 * Which CA to trust for the master: `--ca-file`; else the CA pinned at an earlier enrollment;
 * else trust on first use of the root the master presents, confirmed by `--ca-fingerprint` or by a
 * person at a terminal. Never silently.
 */
const chooseCa = (paths: AgentPaths, url: URL, options: EnrollOptions) =>
  Effect.gen(function* () {
    const check = (ca: PinnedCa, source: string) =>
      Option.isSome(options.caFingerprint) && !sameFingerprint(options.caFingerprint.value, ca.fingerprint)
        ? Effect.fail(new CliError({ reason: `the CA from ${source} has fingerprint ${ca.fingerprint}, not ${options.caFingerprint.value}: not trusted` }))
        : Effect.succeed(ca)
    if (Option.isSome(options.caFile)) {
      const file = options.caFile.value
      const pem = yield* readIfExists(file).pipe(Effect.mapError((error) => new CliError({ reason: error.message })))
      if (pem === undefined) return yield* new CliError({ reason: `--ca-file ${file} does not exist` })
      return yield* check(yield* caFromPem(pem, file).pipe(Effect.mapError(pinError)), file)
    }
    const stored = yield* readIfExists(configFiles(paths).ca).pipe(Effect.orElseSucceed(() => undefined))
    if (stored !== undefined && Option.isNone(options.caFingerprint)) {
      const ca = yield* caFromPem(stored, configFiles(paths).ca).pipe(Effect.option)
      if (Option.isSome(ca)) {
        yield* Console.log(`using the CA pinned earlier (${configFiles(paths).ca}, ${ca.value.fingerprint})`)
        return ca.value
      }
    }
    const presented = yield* fetchPresentedRoot(url).pipe(Effect.mapError(pinError))
    yield* Console.log(`the master presents the CA "${presented.subject}"\n  fingerprint ${presented.fingerprint}`)
    if (Option.isSome(options.caFingerprint)) return yield* check(presented, url.host)
    if (!process.stdin.isTTY) {
      return yield* new CliError({
        reason:
          "cannot confirm the master's CA without a terminal: compare the fingerprint above with `openssl x509 -noout -fingerprint -sha256 -in ca.crt` on the master and pass --ca-fingerprint, or pass --ca-file"
      })
    }
    const trusted = yield* Prompt.confirm({ message: "Is this the fingerprint of your master's CA (trust it from now on)?", initial: false })
    if (!trusted) return yield* new CliError({ reason: "the master's CA was not trusted: nothing changed" })
    return presented
  })

const enrollFailure = (error: unknown, master: string): CliError => {
  switch ((error as { _tag?: string })._tag) {
    case "Unauthenticated":
      return new CliError({ reason: "the master refused the enrollment token (wrong, expired, used up or revoked): ask an admin for a new one" })
    case "SlaveDecommissioned":
      return new CliError({ reason: "this machine's slave was decommissioned: an admin must re-admit it before it can enroll again" })
    case "RateLimited":
      return new CliError({ reason: `too many enrollments from this address: try again in ${(error as { retryAfterSeconds?: number }).retryAfterSeconds ?? 60} s` })
  }
  const failure = classifyFailure(error)
  return new CliError({ reason: failure.kind === "refused" ? `the master refused the request: ${failure.detail}` : `cannot enroll with ${master}: ${failure.detail}` })
}

/** `ncod-slave enroll`: registers with the master and stores the identity it hands out. */
export const enroll = (paths: AgentPaths, options: EnrollOptions) =>
  Effect.gen(function* () {
    const master = yield* masterUrl(options.master)
    const ca = yield* chooseCa(paths, new URL(master), options)
    const previous = yield* loadEnrollment(paths).pipe(Effect.orElseSucceed(() => Option.none()))
    const fingerprint = yield* machineFingerprint(paths).pipe(Effect.mapError((error) => new CliError({ reason: error.message })))
    const hostname = os.hostname()
    const api = yield* agentApi(master, ca.pem)
    const enrollment = yield* api
      .enroll({
        payload: {
          token: Redacted.value(options.token),
          name: Option.getOrElse(options.name, () => hostname).slice(0, 120),
          host: Option.getOrElse(options.host, () => hostname),
          vhPort: options.vhPort,
          fingerprint,
          agentVersion: options.agentVersion,
          labels: Option.match(options.labels, { onNone: () => ({}), onSome: (map) => Object.fromEntries(HashMap.toEntries(map)) })
        }
      })
      .pipe(
        Effect.timeout("30 seconds"),
        Effect.mapError((error) => enrollFailure(error, master))
      )
    const record: EnrollmentRecord = {
      masterUrl: master,
      slaveId: enrollment.slaveId,
      name: Option.getOrElse(options.name, () => hostname),
      credential: Redacted.make(enrollment.credential),
      reportIntervalSeconds: enrollment.reportIntervalSeconds,
      caFingerprint: ca.fingerprint,
      enrolledAt: new Date().toISOString()
    }
    yield* saveEnrollment(paths, record, ca.pem).pipe(Effect.mapError((error) => new CliError({ reason: `enrolled, but ${error.message}` })))
    const again = Option.isSome(previous) && previous.value.record.slaveId === enrollment.slaveId
    const files = configFiles(paths)
    yield* Console.log(
      [
        `${again ? "re-enrolled (same identity)" : "enrolled"} as ${record.name} (${enrollment.slaveId}) with ${master}`,
        `  reports every ${enrollment.reportIntervalSeconds} s; CA pinned in ${files.ca} (${ca.fingerprint})`,
        `  credential in ${files.enrollment} (mode 0600)`,
        "  a running agent picks this up by itself; otherwise: systemctl enable --now ncod-slave"
      ].join("\n")
    )
    return record
  })
