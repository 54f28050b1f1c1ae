import { Effect, Either, Layer } from "effect"
import {
  buildAutoUseAllCommand,
  buildAutoUseClearAllCommand,
  buildAutoUseDeviceCommand,
  buildAutoUseHubCommand,
  buildDeviceInfoCommand,
  buildDeviceRenameCommand,
  buildGetClientStateCommand,
  buildListCommand,
  buildManualHubAddCommand,
  buildManualHubListCommand,
  buildManualHubRemoveCommand,
  buildServerInfoCommand,
  buildStopUsingAllLocalCommand,
  buildStopUsingCommand,
  buildUseCommand,
  failureOfQueryReply,
  parseActionReply,
  parseClientState,
  parseDeviceInfoReply,
  parseListReply,
  parseManualHubList,
  parseServerInfoReply,
  type VhActionReply,
  type VhClientState,
  type VhCommand,
  VhCommandFailed,
  type VhDeviceInfo,
  type VhInvalidArgument,
  type VhListReply,
  type VhParseError,
  type VhServerInfo
} from "../vh/index.js"
import { layerExecTransport, type VhExecOptions } from "./execTransport.js"
import { layerFifoTransport, type VhFifoPaths } from "./fifoTransport.js"
import { VhTransport, type VhTransportError, type VhTransportPolicy } from "./VhTransport.js"
import { layerWindowsPipeTransport, type VhWindowsPipeOptions } from "./windowsPipeTransport.js"

export type VhClientError = VhTransportError | VhParseError

/** What ncod asks of the local VirtualHere client. Arguments are validated before anything is sent. */
export interface VhClientApi {
  /** LIST: hubs and devices as the text listing shows them. */
  readonly list: () => Effect.Effect<VhListReply, VhClientError>
  /** GET CLIENT STATE: the detailed state (XML). */
  readonly state: () => Effect.Effect<VhClientState, VhClientError>
  /**
   * USE. Neither answer is final: OK only means the request was sent, and a plain FAILED can come
   * from the client's own timeout while the bind still completes (seen in field scripts). Confirm
   * through `state` either way.
   */
  readonly use: (address: string, password?: string) => Effect.Effect<void, VhClientError | VhInvalidArgument>
  readonly stopUsing: (address: string) => Effect.Effect<void, VhClientError | VhInvalidArgument>
  /** Stops this client's own uses only (`STOP USING ALL` would stop every client's). */
  readonly stopUsingAllLocal: () => Effect.Effect<void, VhClientError>
  /** MANUAL HUB ADD,`host[:port]`. */
  readonly addHub: (hub: string) => Effect.Effect<void, VhClientError | VhInvalidArgument>
  readonly removeHub: (hub: string) => Effect.Effect<void, VhClientError | VhInvalidArgument>
  /** MANUAL HUB LIST. */
  readonly listHubs: () => Effect.Effect<ReadonlyArray<string>, VhClientError>
  readonly deviceInfo: (address: string) => Effect.Effect<VhDeviceInfo, VhClientError | VhInvalidArgument>
  /** SERVER INFO takes the server's name, not its address. */
  readonly serverInfo: (serverName: string) => Effect.Effect<VhServerInfo, VhClientError | VhInvalidArgument>
  readonly renameDevice: (address: string, nickname: string) => Effect.Effect<void, VhClientError | VhInvalidArgument>
  readonly autoUseDevice: (address: string) => Effect.Effect<void, VhClientError | VhInvalidArgument>
  readonly autoUseHub: (serverName: string) => Effect.Effect<void, VhClientError | VhInvalidArgument>
  readonly autoUseAll: () => Effect.Effect<void, VhClientError>
  readonly autoUseClearAll: () => Effect.Effect<void, VhClientError>
}

const describeFailure = (reply: VhActionReply) =>
  reply._tag === "Failed" ? `FAILED${reply.reason ? `: ${reply.reason}` : ""}` : reply._tag === "Error" ? `ERROR: ${reply.message}` : "OK"

/**
 * The local VirtualHere client, as ncod uses it: every method builds a validated command, sends it
 * through whichever transport is provided and returns the core model. A FAILED/ERROR answer is a
 * `VhCommandFailed`; a reply that does not fit its layout is a `VhParseError`.
 */
export class VhClient extends Effect.Service<VhClient>()("@ncod/core/VhClient", {
  effect: Effect.gen(function* () {
    const transport = yield* VhTransport

    const query = <A>(command: VhCommand, parse: (text: string) => Either.Either<A, VhParseError>) =>
      Effect.flatMap(transport.send(command), (text): Effect.Effect<A, VhCommandFailed | VhParseError> => {
        const failure = failureOfQueryReply(text)
        return failure ? Effect.fail(new VhCommandFailed({ command, reason: describeFailure(failure) })) : parse(text)
      })

    const action = (command: VhCommand) =>
      Effect.flatMap(transport.send(command), (text) =>
        Effect.flatMap(parseActionReply(text), (reply) =>
          reply._tag === "Ok" ? Effect.void : Effect.fail(new VhCommandFailed({ command, reason: describeFailure(reply) }))
        )
      )

    const api: VhClientApi = {
      list: Effect.fn("VhClient.list")(() => query(buildListCommand(), parseListReply)),
      state: Effect.fn("VhClient.state")(() => query(buildGetClientStateCommand(), parseClientState)),
      use: Effect.fn("VhClient.use")((address: string, password?: string) => Effect.flatMap(buildUseCommand(address, password), action)),
      stopUsing: Effect.fn("VhClient.stopUsing")((address: string) => Effect.flatMap(buildStopUsingCommand(address), action)),
      stopUsingAllLocal: Effect.fn("VhClient.stopUsingAllLocal")(() => action(buildStopUsingAllLocalCommand())),
      addHub: Effect.fn("VhClient.addHub")((hub: string) => Effect.flatMap(buildManualHubAddCommand(hub), action)),
      removeHub: Effect.fn("VhClient.removeHub")((hub: string) => Effect.flatMap(buildManualHubRemoveCommand(hub), action)),
      listHubs: Effect.fn("VhClient.listHubs")(() => query(buildManualHubListCommand(), (text) => Either.right(parseManualHubList(text)))),
      deviceInfo: Effect.fn("VhClient.deviceInfo")((address: string) =>
        Effect.flatMap(buildDeviceInfoCommand(address), (command) => query(command, parseDeviceInfoReply))
      ),
      serverInfo: Effect.fn("VhClient.serverInfo")((serverName: string) =>
        Effect.flatMap(buildServerInfoCommand(serverName), (command) => query(command, parseServerInfoReply))
      ),
      renameDevice: Effect.fn("VhClient.renameDevice")((address: string, nickname: string) =>
        Effect.flatMap(buildDeviceRenameCommand(address, nickname), action)
      ),
      autoUseDevice: Effect.fn("VhClient.autoUseDevice")((address: string) => Effect.flatMap(buildAutoUseDeviceCommand(address), action)),
      autoUseHub: Effect.fn("VhClient.autoUseHub")((serverName: string) => Effect.flatMap(buildAutoUseHubCommand(serverName), action)),
      autoUseAll: Effect.fn("VhClient.autoUseAll")(() => action(buildAutoUseAllCommand())),
      autoUseClearAll: Effect.fn("VhClient.autoUseClearAll")(() => action(buildAutoUseClearAllCommand()))
    }
    return api
  })
}) {
  /** Linux/macOS daemon through its FIFOs (paths configurable). */
  static layerFifo = (options: VhFifoPaths & VhTransportPolicy = {}) =>
    Layer.provide(VhClient.Default, layerFifoTransport(options))
  /** `<binary> -t "<command>"`, any OS. */
  static layerExec = (options: VhExecOptions & VhTransportPolicy) => Layer.provide(VhClient.Default, layerExecTransport(options))
  /** Windows service or GUI client through `\\.\pipe\vhclient`. */
  static layerWindowsPipe = (options: VhWindowsPipeOptions & VhTransportPolicy = {}) =>
    Layer.provide(VhClient.Default, layerWindowsPipeTransport(options))
  /** The usual transport for this OS: the named pipe on Windows, the FIFOs elsewhere. */
  static layerForPlatform = (
    options: VhFifoPaths & VhWindowsPipeOptions & VhTransportPolicy = {},
    platform: NodeJS.Platform = process.platform
  ) => (platform === "win32" ? VhClient.layerWindowsPipe(options) : VhClient.layerFifo(options))
}
