import { Socket } from "@effect/platform"
import { RpcClient, RpcSerialization } from "@effect/rpc"
import { Effect, Layer } from "effect"
import WebSocket from "ws"
import { EventsRpc, RPC_PATH } from "../rpc/EventsRpc.js"

/**
 * The live-events RPC protocol over a WebSocket to the master, trusting exactly the given CA.
 * `ws` rather than a global WebSocket: only it lets a client pin a CA (and Node 20 has none).
 */
export const liveEventsProtocolLayer = (baseUrl: string, ca: string | undefined) => {
  const url = new URL(RPC_PATH, baseUrl)
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:"
  return RpcClient.layerProtocolSocket({ retryTransientErrors: true }).pipe(
    Layer.provide(Layer.scoped(Socket.Socket, Socket.makeWebSocket(url.toString()))),
    Layer.provide(
      Layer.succeed(Socket.WebSocketConstructor, (address, protocols) =>
        new WebSocket(address, protocols, ca === undefined ? {} : { ca }) as unknown as globalThis.WebSocket
      )
    ),
    Layer.provide(RpcSerialization.layerJson)
  )
}

/** A typed client of the live-events RPC group. */
export const makeLiveEventsClient = RpcClient.make(EventsRpc)

/**
 * A connected live-events client that lives as long as the caller's scope. (Providing the protocol
 * layer to the constructor alone would close the socket as soon as the client was made.)
 */
export const liveEventsClient = (baseUrl: string, ca: string | undefined) =>
  Effect.flatMap(Layer.build(liveEventsProtocolLayer(baseUrl, ca)), (context) =>
    makeLiveEventsClient.pipe(Effect.provide(context))
  )
