import { sameVhAddress, type VhInvalidArgument, type VhListReply } from "@ncod/core"
import { VhClient, type VhClientError } from "@ncod/core/vh-node"
import { Data, Duration, Effect } from "effect"

/** The local VirtualHere client is missing, silent, or refused what ncod asked. Exit code 6. */
export class VhProblem extends Data.TaggedError("VhProblem")<{ readonly message: string }> {}

/** VirtualHere shows the device bound to another client: someone uses it outside ncod. Exit code 5. */
export class HeldElsewhere extends Data.TaggedError("HeldElsewhere")<{ readonly address: string; readonly clientId: string }> {
  override get message() {
    return `VirtualHere shows ${this.address} in use by ${this.clientId}`
  }
}

/** What LIST says about one device from this client's point of view. */
export type Binding =
  | { readonly _tag: "Mine" }
  | { readonly _tag: "Free" }
  | { readonly _tag: "Other"; readonly clientId: string }
  | { readonly _tag: "Absent" }

export const bindingIn = (list: VhListReply, address: string): Binding => {
  for (const hub of list.hubs) {
    for (const device of hub.devices) {
      if (!sameVhAddress(device.address, address)) continue
      switch (device.status._tag) {
        case "InUseByYou":
          return { _tag: "Mine" }
        case "InUseByOther":
          return { _tag: "Other", clientId: device.status.clientId }
        case "Free":
          return { _tag: "Free" }
        case "Unrecognized":
          // an unknown suffix mentioning "you" is ours; anything else counts as someone else's
          return /\byou\b/i.test(device.status.text) ? { _tag: "Mine" } : { _tag: "Other", clientId: device.status.text }
      }
    }
  }
  return { _tag: "Absent" }
}

/** One line a person can act on for each way the client can fail. */
export const describeVhError = (error: VhClientError | VhInvalidArgument): VhProblem => {
  switch (error._tag) {
    case "VhClientNotRunning":
      return new VhProblem({
        message: `the VirtualHere client is not running on this computer (${error.detail}): start it (Linux: \`vhclientx86_64 -n\`; Windows/macOS: open VirtualHere) and try again`
      })
    case "VhTimeout":
      return new VhProblem({ message: `the VirtualHere client did not answer "${error.command.split(",")[0]}" within ${Math.round(error.timeoutMillis / 1000)} s` })
    case "VhCommandFailed":
      return new VhProblem({ message: `the VirtualHere client refused "${error.command.split(",")[0]}": ${error.reason}` })
    case "VhParseError":
      return new VhProblem({ message: `the VirtualHere client gave a reply ncod cannot read (${error.reply}: ${error.message})` })
    case "VhInvalidArgument":
      return new VhProblem({ message: `refusing to send ${error.argument} to VirtualHere: it ${error.reason}` })
  }
}

const hubKey = (hub: string) => {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hub.trim())
  return match ? `${match[1]!.toLowerCase()}:${match[2] ?? "7575"}` : hub.trim().toLowerCase()
}

/** The LIST reply (also the check that the client runs). */
export const listDevices = Effect.flatMap(VhClient, (vh) => vh.list().pipe(Effect.mapError(describeVhError)))

export const currentBinding = (address: string) => Effect.map(listDevices, (list) => bindingIn(list, address))

/** MANUAL HUB ADD unless the hub is already a manual hub (ports compare with 7575 as default). */
export const ensureHub = (hub: string) =>
  Effect.gen(function* () {
    const vh = yield* VhClient
    const hubs = yield* vh.listHubs().pipe(Effect.mapError(describeVhError))
    if (hubs.some((entry) => hubKey(entry) === hubKey(hub))) return false
    yield* vh.addHub(hub).pipe(Effect.mapError(describeVhError))
    return true
  })

const poll = <A, E, R>(check: Effect.Effect<A | undefined, E, R>, timeout: Duration.DurationInput, every: Duration.DurationInput = "250 millis") =>
  Effect.gen(function* () {
    const deadline = Date.now() + Duration.toMillis(Duration.decode(timeout))
    for (;;) {
      const found = yield* check
      if (found !== undefined) return found as A
      if (Date.now() >= deadline) return undefined
      yield* Effect.sleep(every)
    }
  })

/** Waits until the client sees the device (its hub connected and listing it). */
export const waitForDevice = (address: string, hub: string, timeout: Duration.DurationInput) =>
  Effect.flatMap(
    poll(Effect.map(currentBinding(address), (binding) => (binding._tag === "Absent" ? undefined : binding)), timeout),
    (binding) =>
      binding === undefined
        ? Effect.fail(
            new VhProblem({
              message: `the VirtualHere client does not see ${address} on hub ${hub} after ${Duration.format(Duration.decode(timeout))}: check that this computer can reach ${hub}`
            })
          )
        : Effect.succeed(binding)
  )

/**
 * USE, then confirm from LIST: an OK proves nothing, and a plain FAILED can come from the client's
 * own timeout while the bind still completes, so only "In-use by you" counts.
 */
export const bindDevice = (address: string, password: string | null, timeout: Duration.DurationInput) =>
  Effect.gen(function* () {
    const vh = yield* VhClient
    const before = yield* currentBinding(address)
    if (before._tag === "Mine") return
    if (before._tag === "Other") return yield* new HeldElsewhere({ address, clientId: before.clientId })
    const answer = yield* vh.use(address, password ?? undefined).pipe(
      Effect.as<string | null>(null),
      Effect.catchTags({
        VhCommandFailed: (failed) => Effect.succeed<string | null>(failed.reason),
        VhTimeout: () => Effect.succeed<string | null>("no answer")
      }),
      Effect.mapError(describeVhError)
    )
    // a refusal shows at once; give a FAILED a little time, an OK the full time
    const window = answer === null ? timeout : Duration.min(Duration.decode(timeout), Duration.seconds(4))
    const settled = yield* poll(
      Effect.map(currentBinding(address), (binding) => (binding._tag === "Mine" || binding._tag === "Other" ? binding : undefined)),
      window
    )
    if (settled?._tag === "Mine") return
    if (settled?._tag === "Other") return yield* new HeldElsewhere({ address, clientId: settled.clientId })
    return yield* new VhProblem({
      message: `VirtualHere did not bind ${address}${answer ? ` (USE answered ${answer})` : ""}: the slave refused this computer or the device is not reachable`
    })
  })

/** STOP USING when the device is bound to this client; true when it is no longer ours. */
export const unbindDevice = (address: string) =>
  Effect.gen(function* () {
    const vh = yield* VhClient
    const binding = yield* currentBinding(address)
    if (binding._tag !== "Mine") return true
    yield* vh.stopUsing(address).pipe(Effect.mapError(describeVhError), Effect.ignore)
    const gone = yield* poll(Effect.map(currentBinding(address), (b) => (b._tag === "Mine" ? undefined : true)), "3 seconds")
    return gone === true
  })
