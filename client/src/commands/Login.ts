import { Prompt } from "@effect/cli"
import { HttpClientRequest } from "@effect/platform"
import { Effect, Option, Redacted } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import { httpClientLayer, makeApi } from "../api/Http.js"
import { readPinnedCa } from "../api/MasterLink.js"
import { Settings, writeStoredConfig } from "../config/ClientConfig.js"
import { removeFile, writePrivateFile } from "../config/files.js"
import { filePath } from "../config/Paths.js"
import { loadOrCreateMachineKey } from "../machine/MachineKey.js"
import { presentedMacs } from "../machine/Macs.js"
import { readSession, sessionFromTokens, writeSession } from "../session/SessionStore.js"
import { eprintln, isInteractive, println, stdoutColors as c } from "../ui/Output.js"
import { withSpinner } from "../ui/StatusLine.js"
import { CliExit, describeFailure, describeTransport, ExitCode, MasterUnreachable, UsageError } from "./Failure.js"
import { certificateToPin, fetchPeerChain, parseCertificate } from "./Trust.js"

export interface LoginFlags {
  readonly master: Option.Option<string>
  readonly username: Option.Option<string>
  readonly caFile: Option.Option<string>
  readonly yes: boolean
  readonly passwordStdin: boolean
}

/** `host`, `host:port` or a URL → the master's origin (https unless http:// is written out). */
export const normalizeMasterUrl = (text: string): Option.Option<string> => {
  const trimmed = text.trim()
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`)
    if (url.protocol !== "https:" && url.protocol !== "http:") return Option.none()
    return Option.some(url.origin)
  } catch {
    return Option.none()
  }
}

const readStdin = Effect.promise(async () => {
  const chunks: Array<Buffer> = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "")
})

const ask = <A>(prompt: Prompt.Prompt<A>, flag: string) =>
  isInteractive() ? Prompt.run(prompt) : Effect.fail(new UsageError({ message: `not a terminal: pass ${flag}` }))

/** Checks the master answers as an ncod master with the given trust; fails with a clear line. */
const checkMaster = (baseUrl: string, ca: string | undefined, language: "en" | "zh") =>
  Effect.gen(function* () {
    const api = yield* makeApi(baseUrl, language)
    const info = yield* api.meta.info().pipe(Effect.mapError((error) => new MasterUnreachable({ message: describeTransport(error, baseUrl) })))
    if (info.product !== "ncod") return yield* new MasterUnreachable({ message: `${baseUrl} is not an ncod master` })
    return info
  }).pipe(Effect.provide(httpClientLayer(ca)))

/**
 * Which certificate to trust for the master: `--ca-file`, the one pinned before for this master, the
 * system store when it already trusts the master, else trust on first use (fingerprint shown and
 * confirmed, or accepted with `--yes`). Returns the PEM to pin, or undefined for the system store.
 */
const chooseTrust = (baseUrl: string, flags: LoginFlags, samePinnedMaster: boolean, pinned: string | undefined, language: "en" | "zh") =>
  Effect.gen(function* () {
    if (baseUrl.startsWith("http://")) {
      yield* eprintln(c.yellow(`warning: ${baseUrl} is not encrypted: passwords and tokens cross the network in clear text`))
      yield* checkMaster(baseUrl, undefined, language)
      return undefined
    }
    if (Option.isSome(flags.caFile)) {
      const caFile = flags.caFile.value
      const text = yield* Effect.try({
        try: () => fs.readFileSync(caFile, "utf8"),
        catch: (error) => new UsageError({ message: `cannot read --ca-file ${caFile}: ${(error as Error).message}` })
      })
      const cert = parseCertificate(text)
      if (cert === undefined) return yield* new UsageError({ message: `--ca-file ${caFile} is not a PEM certificate` })
      yield* checkMaster(baseUrl, text, language)
      yield* println(`Trusting the CA from ${caFile} (SHA-256 ${cert.fingerprint256}).`)
      return text
    }
    if (samePinnedMaster && pinned !== undefined) {
      yield* checkMaster(baseUrl, pinned, language)
      return pinned
    }
    const seen = yield* fetchPeerChain(new URL(baseUrl))
    if (seen.trusted) {
      yield* checkMaster(baseUrl, undefined, language)
      return undefined
    }
    const pin = certificateToPin(seen.chain)
    if (pin === undefined) return yield* new MasterUnreachable({ message: `${baseUrl} presented no certificate` })
    yield* println(`The master's certificate is not trusted by this computer (${seen.error ?? "unknown issuer"}).`)
    yield* println(`  ${pin.selfSigned ? "CA" : "certificate"}: ${pin.subject}`)
    yield* println(`  SHA-256 fingerprint: ${c.bold(pin.fingerprint256)}`)
    yield* println("Compare it with the fingerprint your administrator gave you (`openssl x509 -noout -fingerprint -sha256 -in ca.crt`).")
    const accepted = flags.yes ? true : yield* ask(Prompt.confirm({ message: "Trust this certificate for this master?", initial: false }), "--yes or --ca-file")
    if (!accepted) return yield* new CliExit({ code: ExitCode.refused, message: "not trusted: nothing was saved" })
    yield* checkMaster(baseUrl, pin.pem, language)
    return pin.pem
  })

export const login = (flags: LoginFlags) =>
  Effect.gen(function* () {
    const settings = yield* Settings
    const typed = Option.isSome(flags.master)
      ? flags.master.value
      : Option.isSome(settings.masterUrl)
        ? settings.masterUrl.value
        : yield* ask(Prompt.text({ message: "Master URL (e.g. https://ncod.example.com:8443)" }), "--master URL")
    const baseUrl = yield* Option.match(normalizeMasterUrl(typed), {
      onNone: () => Effect.fail(new UsageError({ message: `"${typed}" is not a master URL (https://host[:port])` })),
      onSome: Effect.succeed
    })
    const pinned = yield* readPinnedCa(settings.dir)
    const samePinnedMaster = Option.map(settings.masterUrl, (url) => Option.getOrElse(normalizeMasterUrl(url), () => url)).pipe(Option.contains(baseUrl))
    const ca = yield* chooseTrust(baseUrl, flags, samePinnedMaster, pinned, settings.language)
    // the trust decision is kept even if this sign-in is refused (pending approval asks again later)
    if (ca === undefined) yield* removeFile(filePath(settings.dir, "ca"))
    else yield* writePrivateFile(filePath(settings.dir, "ca"), ca)
    yield* writeStoredConfig(settings.dir, { ...settings.stored, masterUrl: baseUrl })

    const username = Option.isSome(flags.username)
      ? flags.username.value
      : settings.stored.username ?? (yield* ask(Prompt.text({ message: "Username" }), "--username NAME"))
    const password = flags.passwordStdin
      ? yield* readStdin
      : Redacted.value(yield* ask(Prompt.password({ message: `Password for ${username}` }), "--password-stdin"))
    if (password.length === 0) return yield* new UsageError({ message: "empty password" })

    const key = yield* loadOrCreateMachineKey(settings.dir)
    const macs = presentedMacs(os.networkInterfaces())
    if (macs.length === 0) {
      return yield* new CliExit({ code: ExitCode.unexpected, message: "this computer shows no network interface with a MAC address: ncod cannot identify it" })
    }
    const hostname = os.hostname()
    const first = macs[0]!
    yield* println(
      `Signing in to ${baseUrl} as ${c.bold(username)} from ${hostname}, presenting MAC ${c.bold(first.mac)} (${first.iface})` +
        (macs.length > 1 ? ` and ${macs.length - 1} more` : "") +
        (key.created ? "; a new machine key was created for this profile" : "")
    )

    const result = yield* withSpinner(
      "signing in",
      Effect.gen(function* () {
        const api = yield* makeApi(baseUrl, settings.language)
        const { challenge } = yield* api.auth.clientChallenge()
        return yield* api.auth.clientLogin({
          payload: { username, password, macs: macs.map((m) => m.mac), hostname, publicKey: key.publicKey, challenge, signature: key.sign(challenge) }
        })
      }).pipe(Effect.provide(httpClientLayer(ca)), Effect.either)
    )
    yield* writeStoredConfig(settings.dir, { ...settings.stored, masterUrl: baseUrl, username })
    if (result._tag === "Left") {
      const error = result.left
      const { code, message } = describeFailure(error, baseUrl)
      const hint = (() => {
        switch ((error as { _tag?: string })._tag) {
          case "MachinePending":
            return `Approval requested for MAC ${(error as { mac: string }).mac} on host ${hostname}. Ask an administrator to approve this computer, then run \`ncod login\` again.`
          case "MachineUntrusted":
            return "The MAC is approved with another machine key (a reinstalled profile?): ask an administrator to revoke the old binding."
          case "AccountPending":
            return "Run `ncod login` again once your account is approved."
          default:
            return undefined
        }
      })()
      return yield* new CliExit({ code, message: hint ? `${message}\n${hint}` : message })
    }
    const tokens = result.right
    yield* writeSession(settings.dir, sessionFromTokens(baseUrl, tokens, first.mac))
    yield* println(`${c.green("Signed in")} as ${tokens.user.displayName} (${tokens.user.username}) on ${baseUrl}.`)
  })

/** Ends the session at the master (best effort) and removes it from this computer. */
export const logout = Effect.gen(function* () {
  const settings = yield* Settings
  const session = yield* readSession(settings.dir)
  if (Option.isNone(session)) return yield* println("Not signed in.")
  const ca = yield* readPinnedCa(settings.dir)
  const told = yield* Effect.gen(function* () {
    const api = yield* makeApi(session.value.masterUrl, settings.language, (request) =>
      Effect.succeed(HttpClientRequest.bearerToken(request, session.value.accessToken))
    )
    yield* api.auth.logout({ payload: { refreshToken: session.value.refreshToken } })
  }).pipe(Effect.provide(httpClientLayer(ca)), Effect.either)
  yield* removeFile(filePath(settings.dir, "session"))
  if (told._tag === "Left") {
    yield* eprintln(c.yellow(`the master was not told (${describeFailure(told.left, session.value.masterUrl).message}); the session was removed from this computer`))
  }
  yield* println(`Signed out of ${session.value.masterUrl}.`)
})
