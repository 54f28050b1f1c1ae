import { VhClient } from "@ncod/core/vh-node"
import { Deferred, Duration, Effect, SubscriptionRef } from "effect"
import { makeEnrollmentSource } from "../config/EnrollmentSource.js"
import { type AgentPaths, configFiles } from "../config/Paths.js"
import { makeSeqStore } from "../config/SeqStore.js"
import type { AgentSettings } from "../config/Settings.js"
import { serveAgentSocket } from "../hook/AgentSocket.js"
import { makeHookHandlers } from "../hook/HookHandlers.js"
import { makeGrants } from "../link/Grants.js"
import { makeMasterLink } from "../link/MasterLink.js"
import { makeReporter } from "../reporter/Reporter.js"
import { loadInventory, saveInventory } from "../scanner/InventoryFile.js"
import { makeScanner } from "../scanner/Scanner.js"
import { makeServerWatch } from "../watch/ServerWatch.js"
import { makeHealth } from "./Health.js"
import { makeSignals } from "./Signals.js"
import { supervise } from "./supervise.js"

export interface AgentOptions {
  readonly paths: AgentPaths
  readonly settings: AgentSettings
  readonly version: string
  /** The hook program's name as the ClientAuthorization line must contain it. */
  readonly hookName?: string
}

/**
 * The running agent (`ncod-slave run`): four supervised loops — Scanner, Reporter, MasterLink,
 * ServerWatch — sharing a few Refs, and the local socket that answers the hook, events and
 * `status`. Nothing the master, vhusbd or a device does ends the process; only a signal does.
 */
export const runAgent = ({ hookName = "ncod-slave-hook", paths, settings, version }: AgentOptions) =>
  Effect.gen(function* () {
    const files = configFiles(paths)
    const health = yield* makeHealth(version)
    const signals = yield* makeSignals
    const enrollment = yield* makeEnrollmentSource(paths, health)
    const vh = yield* VhClient
    const scanner = yield* makeScanner({
      settings,
      health,
      signals,
      vh,
      hookName,
      initial: yield* loadInventory(files.inventory),
      persist: saveInventory(files.inventory)
    })
    const grants = yield* makeGrants(health)
    const seq = yield* makeSeqStore(files.seq)
    const firstScan = yield* Deferred.make<void>()
    const reporter = makeReporter({
      settings,
      health,
      signals,
      enrollment,
      local: scanner.state,
      nextSeq: seq.next,
      agentVersion: version,
      firstScan: Deferred.await(firstScan)
    })
    const link = makeMasterLink({ settings, health, signals, enrollment, grants })
    const watch = makeServerWatch({ settings, health, signals })

    yield* serveAgentSocket(
      paths.socketPath,
      makeHookHandlers({
        grants,
        devices: Effect.map(SubscriptionRef.get(scanner.state), (state) => state.devices),
        grantsMaxAgeSeconds: settings.grantsMaxAgeSeconds,
        scan: signals.scan,
        health
      })
    )

    const enrolled = yield* enrollment.current
    yield* Effect.logInfo("agent started").pipe(
      Effect.annotateLogs({
        version,
        socket: paths.socketPath,
        slaveId: enrolled._tag === "Some" ? enrolled.value.record.slaveId : null,
        master: enrolled._tag === "Some" ? enrolled.value.record.masterUrl : null
      })
    )
    // the links to the master get ready while the first scan runs; the first report waits for it,
    // so it carries real devices (never an empty list just because it came first)
    yield* Effect.forkScoped(supervise("reporter", reporter.run))
    yield* Effect.forkScoped(supervise("master-link", link.run))
    yield* Effect.forkScoped(supervise("server-watch", watch.run))
    yield* scanner.scanOnce.pipe(Effect.timeout(Duration.seconds(settings.vhClientTimeoutSeconds + 1)), Effect.ignore)
    yield* Deferred.succeed(firstScan, undefined)
    yield* Effect.forkScoped(supervise("scanner", scanner.run))
    return yield* Effect.never
  }).pipe(
    Effect.onInterrupt(() => Effect.logInfo("agent stopped")),
    Effect.scoped,
    Effect.provide(
      VhClient.layerFifo({
        commandPipe: settings.vhClientCommandPipe,
        responsePipe: settings.vhClientResponsePipe,
        timeout: Duration.seconds(settings.vhClientTimeoutSeconds)
      })
    )
  )
