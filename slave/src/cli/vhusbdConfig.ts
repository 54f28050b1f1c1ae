import {
  applyManagedServerSettings,
  buildClientAuthorizationCommandLine,
  getServerConfigValue,
  parseServerConfigIni,
  printServerConfigIni,
  readVhEventHooks
} from "@ncod/core"
import { Either } from "effect"

/** The vhusbd events that mean "the device list or its use changed": each pokes the agent. */
export const pokedEvents = ["onEnumeration", "onBind", "onUnbind", "onDeviceKick"] as const

export interface VhusbdSetup {
  /** Absolute path of ncod-slave-hook. */
  readonly hook: string
  /** The agent's socket when not the default (it is then passed to the hook). */
  readonly socket?: string | undefined
  /** Leave ClientAuthorization out: access is not enforced (advisory). */
  readonly advisory: boolean
  readonly events: boolean
  /** Replace a ClientAuthorization that is not ncod's. */
  readonly force: boolean
  /** Take ncod's lines out again (uninstall). */
  readonly remove: boolean
}

export interface VhusbdPlan {
  readonly text: string
  readonly changes: ReadonlyArray<string>
  readonly warnings: ReadonlyArray<string>
}

const ours = (command: string | undefined) => command !== undefined && command.includes("ncod-slave-hook")

const quote = (text: string) => (/^[A-Za-z0-9_./:=-]+$/.test(text) ? text : `"${text.replace(/(["\\$`])/g, "\\$1")}"`)

export const eventCommandLine = (hook: string, event: string, socket?: string) =>
  [
    quote(hook),
    ...(socket === undefined ? [] : ["--socket", quote(socket)]),
    "event",
    event,
    '--address "$ADDRESS$" --vendor-id "$VENDOR_ID$" --product-id "$PRODUCT_ID$" --devpath "$DEVPATH$"'
  ].join(" ")

/**
 * What `configure-vhusbd` does to config.ini, as a pure function: set (or remove) the
 * ClientAuthorization line and the event hooks, keep every other line as it is, and never replace
 * a line someone else wrote unless told to.
 */
export const planVhusbdConfig = (current: string, setup: VhusbdSetup): Either.Either<VhusbdPlan, string> => {
  const ini = parseServerConfigIni(current)
  const changes: Array<string> = []
  const warnings: Array<string> = []
  const existingAuth = getServerConfigValue(ini, "ClientAuthorization")
  const prefix = setup.socket === undefined ? [] : ["--socket", setup.socket]
  let clientAuthorization: string | null | undefined
  if (setup.remove || setup.advisory) {
    if (ours(existingAuth)) clientAuthorization = null
    else if (existingAuth !== undefined) warnings.push("ClientAuthorization is not ncod's: left as it is")
  } else {
    const wanted = buildClientAuthorizationCommandLine(setup.hook, prefix)
    if (existingAuth !== undefined && !ours(existingAuth) && !setup.force) {
      return Either.left(`${"ClientAuthorization"} already runs something else (${existingAuth.slice(0, 80)}): pass --force to replace it`)
    }
    if (existingAuth !== wanted) clientAuthorization = wanted
  }
  if (clientAuthorization !== undefined) changes.push(clientAuthorization === null ? "ClientAuthorization removed" : "ClientAuthorization set to ncod-slave-hook")

  const hooks = new Map(readVhEventHooks(ini).map((hook) => [hook.vendorId === null ? hook.event : `${hook.event}.${hook.vendorId}${hook.productId === null ? "" : `.${hook.productId}`}`, hook.command]))
  const eventHooks: Record<string, string | null> = {}
  for (const event of pokedEvents) {
    const existing = hooks.get(event)
    if (setup.remove || !setup.events) {
      if (ours(existing)) eventHooks[event] = null
      continue
    }
    if (existing !== undefined && !ours(existing)) {
      warnings.push(`${event} already runs something else: left as it is (ncod notices that change at its next scan)`)
      continue
    }
    const wanted = eventCommandLine(setup.hook, event, setup.socket)
    if (existing !== wanted) eventHooks[event] = wanted
  }
  for (const [event, command] of Object.entries(eventHooks)) changes.push(command === null ? `${event} removed` : `${event} set to poke the agent`)

  return Either.map(
    Either.mapLeft(
      applyManagedServerSettings(ini, { ...(clientAuthorization === undefined ? {} : { clientAuthorization }), eventHooks }),
      (error) => `${error.argument}: ${error.reason}`
    ),
    (next) => ({ text: printServerConfigIni(next), changes, warnings })
  )
}
