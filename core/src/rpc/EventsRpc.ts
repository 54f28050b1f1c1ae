import { Rpc, RpcGroup } from "@effect/rpc"
import { LiveEvent } from "./LiveEvent.js"

/** Live events over WebSocket at `/rpc`: one stream per subscriber. */
export class EventsRpc extends RpcGroup.make(
  Rpc.make("SubscribeEvents", { success: LiveEvent, stream: true })
) {}

export const RPC_PATH = "/rpc"
