import { type AccessMode, getServerConfigValue, parseServerConfigIni, type ReportedDevice, type VhServerInfo } from "@ncod/core"
import type { VhClientApi, VhClientError } from "@ncod/core/vh-node"
import { Clock, Effect, Either, SubscriptionRef } from "effect"
import type { Health } from "../agent/Health.js"
import type { Signals } from "../agent/Signals.js"
import { readIfExists } from "../config/files.js"
import type { AgentSettings } from "../config/Settings.js"
import { buildDevices, carryOverEnrichment, findLocalServer, isLocalServerLoggedIn, type ServerFacts, serverFacts } from "./Inventory.js"
import { readSysfs } from "./Sysfs.js"

/** What the agent knows about its vhusbd and devices: the content of the next report. */
export interface LocalState {
  readonly devices: ReadonlyArray<ReportedDevice>
  /** null until the local vhusbd was seen once. */
  readonly server: ServerFacts | null
  readonly accessMode: AccessMode
  /** vhusbd or the VirtualHere client is not answering: the devices are the last ones seen. */
  readonly degraded: boolean
}

/** How a device is recognised across scans (the master's stable key: serial, else port). */
const deviceKey = (d: ReportedDevice) => `${d.vendorId}:${d.productId}:${d.serial ?? `port:${d.busPath ?? d.vhAddress}`}`
const describeDevice = (d: ReportedDevice) => ({ vhAddress: d.vhAddress, vendorId: d.vendorId, productId: d.productId, product: d.product, serial: d.serial, busPath: d.busPath })

const describeVhError = (error: VhClientError) => {
  switch (error._tag) {
    case "VhClientNotRunning":
      return "the VirtualHere client is not running"
    case "VhTimeout":
      return "the VirtualHere client did not answer in time"
    case "VhParseError":
      return "the VirtualHere client answered something unreadable"
    case "VhCommandFailed":
      return `the VirtualHere client refused: ${error.reason}`.slice(0, 200)
  }
}

const SERVER_INFO_REFRESH_MS = 60_000
/** After a poke (a vhusbd event), look again shortly: the client may learn of the change a little later. */
const FOLLOW_UPS_MS = [300, 1_000, 2_500]

export interface ScannerDeps {
  readonly settings: AgentSettings
  readonly health: Health
  readonly signals: Signals
  readonly vh: VhClientApi
  /** Path of the hook program, as the ClientAuthorization line names it. */
  readonly hookName: string
  /** The devices of the last successful scan before this start (reported as degraded until a scan succeeds). */
  readonly initial?: LocalState | undefined
  /** Keeps the last good inventory across restarts, so a restart never reports an empty slave. */
  readonly persist?: ((state: LocalState) => Effect.Effect<void>) | undefined
}

/**
 * Scanner: reads the devices through the local VirtualHere client, enriches them from sysfs, and
 * publishes the result. A failing client, garbage replies or an odd sysfs tree degrade the state
 * and are logged once per change; they never end the loop.
 */
export const makeScanner = ({ health, hookName, initial, persist, settings, signals, vh }: ScannerDeps) =>
  Effect.gen(function* () {
    const state = yield* SubscriptionRef.make<LocalState>(
      initial === undefined ? { devices: [], server: null, accessMode: "advisory", degraded: true } : { ...initial, degraded: true }
    )
    let lastIssues = ""
    let lastAccessReason = ""
    let firstInventory = true
    let hubAdded = false
    let serverInfo: { key: string; at: number; info: VhServerInfo | undefined } | undefined

    /** Is vhusbd configured to ask our hook? Without a config file to read, it cannot be known. */
    const hookInstalled = Effect.gen(function* () {
      if (settings.vhusbdConfigFile === null) return { installed: true, reason: "" }
      const text = yield* readIfExists(settings.vhusbdConfigFile).pipe(Effect.orElseSucceed(() => undefined))
      if (text === undefined) return { installed: false, reason: `cannot read ${settings.vhusbdConfigFile}` }
      const line = getServerConfigValue(parseServerConfigIni(text), "ClientAuthorization") ?? ""
      return line.includes(hookName) ? { installed: true, reason: "" } : { installed: false, reason: "vhusbd's ClientAuthorization does not call ncod-slave-hook" }
    })

    const refreshServerInfo = (name: string) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        if (serverInfo !== undefined && serverInfo.key === name && now - serverInfo.at < SERVER_INFO_REFRESH_MS) return serverInfo.info
        const info = yield* vh.serverInfo(name).pipe(Effect.option)
        serverInfo = { key: name, at: now, info: info._tag === "Some" ? info.value : undefined }
        return serverInfo.info
      })

    const logDeviceChanges = (before: ReadonlyArray<ReportedDevice>, after: ReadonlyArray<ReportedDevice>) =>
      Effect.gen(function* () {
        if (firstInventory) {
          firstInventory = false
          yield* Effect.logInfo("devices found").pipe(Effect.annotateLogs({ count: after.length, inUse: after.filter((d) => d.boundClient !== null).length }))
          return
        }
        const old = new Map(before.map((d) => [deviceKey(d), d]))
        const now = new Map(after.map((d) => [deviceKey(d), d]))
        for (const [key, device] of now) {
          const was = old.get(key)
          if (was === undefined) yield* Effect.logInfo("device plugged").pipe(Effect.annotateLogs(describeDevice(device)))
          else if (was.boundClient !== device.boundClient) {
            yield* (device.boundClient === null
              ? Effect.logInfo("device released").pipe(Effect.annotateLogs({ ...describeDevice(device), client: was.boundClient }))
              : Effect.logInfo("device in use").pipe(Effect.annotateLogs({ ...describeDevice(device), client: device.boundClient })))
          }
        }
        for (const [key, device] of old) if (!now.has(key)) yield* Effect.logInfo("device unplugged").pipe(Effect.annotateLogs(describeDevice(device)))
      })

    const scanOnce = Effect.gen(function* () {
      const previous = yield* SubscriptionRef.get(state)
      let devices = previous.devices
      let server = previous.server
      let reachable = false
      let issues: Array<string> = []
      const answer = yield* Effect.either(vh.state())
      if (Either.isLeft(answer)) {
        const detail = describeVhError(answer.left)
        if (yield* health.transition("vhClient", "down", detail)) yield* Effect.logWarning("VirtualHere client not answering").pipe(Effect.annotateLogs({ reason: detail }))
      } else {
        if (yield* health.transition("vhClient", "up")) yield* Effect.logInfo("VirtualHere client answering")
        const local = findLocalServer(answer.right, { host: settings.vhusbdHost, port: settings.vhusbdPort })
        if (local === undefined) {
          issues.push("the VirtualHere client does not know the local vhusbd")
          if (!hubAdded) {
            hubAdded = true
            const hub = `${settings.vhusbdHost}:${settings.vhusbdPort}`
            yield* vh.addHub(hub).pipe(
              Effect.zipRight(Effect.logInfo("added the local vhusbd to the VirtualHere client").pipe(Effect.annotateLogs({ hub }))),
              Effect.catchAll((error) => Effect.logWarning("cannot add the local vhusbd to the VirtualHere client").pipe(Effect.annotateLogs({ hub, reason: error._tag })))
            )
          }
        } else if (!isLocalServerLoggedIn(local)) {
          issues.push("the VirtualHere client is not connected to the local vhusbd")
        } else {
          reachable = true
          server = serverFacts(local, yield* refreshServerInfo(local.connection.serverName))
          const sysfs = yield* readSysfs(settings.sysfsDir)
          const built = buildDevices(local, sysfs)
          devices = carryOverEnrichment(previous.devices, built.devices)
          issues = [...built.issues, ...sysfs.skipped.map((skip) => `sysfs ${skip.entry}: ${skip.reason}`)]
        }
      }
      const degraded = !reachable || (yield* health.get).vhusbd.state === "down"
      const hook = yield* hookInstalled
      const accessMode: AccessMode = server !== null && server.licensed && hook.installed ? "enforced" : "advisory"
      const accessReason =
        accessMode === "enforced" ? "" : server === null ? "vhusbd not seen yet" : !server.licensed ? "unlicensed VirtualHere server (MAX DEVICES 1)" : hook.reason
      if (accessReason !== lastAccessReason && server !== null) {
        lastAccessReason = accessReason
        yield* accessMode === "enforced"
          ? Effect.logInfo("access enforced: vhusbd asks ncod-slave-hook before every bind")
          : Effect.logWarning("advisory mode: access is not enforced on this slave").pipe(Effect.annotateLogs({ reason: accessReason }))
      }
      const issueText = issues.join("; ")
      if (issueText !== lastIssues) {
        lastIssues = issueText
        if (issues.length > 0) yield* Effect.logWarning("scan problems").pipe(Effect.annotateLogs({ problems: issues.slice(0, 20) }))
      }
      if (reachable) yield* logDeviceChanges(previous.devices, devices)
      const next: LocalState = { devices, server, accessMode, degraded }
      if (JSON.stringify(next) !== JSON.stringify(previous)) {
        yield* SubscriptionRef.set(state, next)
        yield* signals.inventoryChanged.wake
        if (reachable && persist !== undefined) yield* persist(next)
      }
      yield* health.update((h) => ({
        ...h,
        server,
        accessMode,
        degraded,
        devices: { total: devices.length, inUse: devices.filter((d) => d.boundClient !== null).length }
      }))
    })

    /** Scans every interval, at once when poked, and a few times shortly after a poke. */
    const run: Effect.Effect<never> = Effect.gen(function* () {
      let followUps: Array<number> = []
      for (;;) {
        yield* scanOnce
        const now = yield* Clock.currentTimeMillis
        followUps = followUps.filter((at) => at > now)
        const next = Math.min(now + settings.scanIntervalSeconds * 1000, ...followUps)
        if (yield* signals.scan.sleepOrWake(Math.max(0, next - now))) {
          const poked = yield* Clock.currentTimeMillis
          followUps = FOLLOW_UPS_MS.map((delay) => poked + delay)
        }
      }
    })

    return { state, scanOnce, run }
  })

export type Scanner = Effect.Effect.Success<ReturnType<typeof makeScanner>>
