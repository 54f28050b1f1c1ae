import { Socket } from "@effect/platform"
import { RpcClient, RpcSerialization } from "@effect/rpc"
import { SLAVE_RPC_PATH, SlaveLinkRpc } from "@ncod/core"
import { Effect, Layer } from "effect"
import WebSocket from "ws"

/**
 * The slave-link RPC protocol over a WebSocket to the master, trusting exactly the pinned CA (the
 * same construction as core's live-events client: `ws`, because only it can pin a CA). Transient
 * errors are not retried inside: MasterLink owns reconnection, its backoff and its logging.
 */
export const slaveLinkProtocolLayer = (baseUrl: string, ca: string) => {
  const url = new URL(SLAVE_RPC_PATH, baseUrl)
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:"
  return RpcClient.layerProtocolSocket({ retryTransientErrors: false }).pipe(
    Layer.provide(Layer.scoped(Socket.Socket, Socket.makeWebSocket(url.toString(), { openTimeout: "10 seconds" }))),
    Layer.provide(
      Layer.succeed(Socket.WebSocketConstructor, (address, protocols) =>
        new WebSocket(address, protocols, { ca, minVersion: "TLSv1.2" }) as unknown as globalThis.WebSocket
      )
    ),
    Layer.provide(RpcSerialization.layerJson)
  )
}

/**
 * A connected slave-link client that lives as long as the caller's scope (the protocol layer is
 * built in that scope, so the socket closes with it and not before).
 */
export const slaveLinkClient = (baseUrl: string, ca: string) =>
  Effect.flatMap(Layer.build(slaveLinkProtocolLayer(baseUrl, ca)), (context) => RpcClient.make(SlaveLinkRpc).pipe(Effect.provide(context)))
