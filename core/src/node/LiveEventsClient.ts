import { Socket } from "@effect/platform"
import { type Rpc, RpcClient, type RpcGroup, RpcSerialization } from "@effect/rpc"
import { Effect, Layer } from "effect"
import WebSocket from "ws"
import { EventsRpc, RPC_PATH } from "../rpc/EventsRpc.js"
import { SLAVE_RPC_PATH, SlaveLinkRpc } from "../rpc/SlaveLinkRpc.js"

/**
 * An RPC protocol over a WebSocket to the master, trusting exactly the given CA. `ws` rather than a
 * global WebSocket: only it lets a client pin a CA (and Node 20 has none).
 */
export const socketRpcProtocolLayer = (baseUrl: string, path: string, ca: string | undefined) => {
  const url = new URL(path, baseUrl)
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

/**
 * A connected client of an RPC group that lives as long as the caller's scope. (Providing the
 * protocol layer to the constructor alone would close the socket as soon as the client was made.)
 */
export const socketRpcClient = <Rpcs extends Rpc.Any>(group: RpcGroup.RpcGroup<Rpcs>, path: string, baseUrl: string, ca: string | undefined) =>
  Effect.flatMap(Layer.build(socketRpcProtocolLayer(baseUrl, path, ca)), (context) => RpcClient.make(group).pipe(Effect.provide(context)))

/** The live events a user or admin may see (`SubscribeEvents`). */
export const liveEventsClient = (baseUrl: string, ca: string | undefined) => socketRpcClient(EventsRpc, RPC_PATH, baseUrl, ca)

/** A slave agent's grants link (`SlaveGrants`). */
export const slaveLinkClient = (baseUrl: string, ca: string | undefined) => socketRpcClient(SlaveLinkRpc, SLAVE_RPC_PATH, baseUrl, ca)
