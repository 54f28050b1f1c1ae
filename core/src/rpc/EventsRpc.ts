import { Rpc, RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { Unauthenticated } from "../errors/ApiErrors.js"
import { LiveEvent } from "./LiveEvent.js"

/**
 * Live events over WebSocket at `/rpc`. Browsers cannot set headers on a WebSocket, so the access
 * token travels in the payload; the stream ends when the token expires and the caller resubscribes
 * with a fresh one.
 */
export class EventsRpc extends RpcGroup.make(
  Rpc.make("SubscribeEvents", {
    payload: { accessToken: Schema.String.pipe(Schema.maxLength(4096)) },
    success: LiveEvent,
    error: Unauthenticated,
    stream: true
  })
) {}

export const RPC_PATH = "/rpc"
