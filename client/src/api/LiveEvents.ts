import { Socket } from "@effect/platform"
import { RpcClient, RpcSerialization } from "@effect/rpc"
import { EventsRpc, type LiveEvent, RPC_PATH } from "@ncod/core"
import { Effect, Layer, Random, Stream } from "effect"
import WebSocket from "ws"
import { isTransportFailure } from "../commands/Failure.js"
import { MasterLink } from "./MasterLink.js"

/**
 * The live-events RPC over a WebSocket trusting exactly the pinned certificate (core's helper pins
 * a CA only; a certificate pinned on first use may be the master's own, which needs
 * `allowPartialTrustChain`). Lives as long as the caller's scope.
 */
const eventsClient = (baseUrl: string, ca: string | undefined) => {
  const url = new URL(RPC_PATH, baseUrl)
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:"
  const protocol = RpcClient.layerProtocolSocket({ retryTransientErrors: true }).pipe(
    Layer.provide(Layer.scoped(Socket.Socket, Socket.makeWebSocket(url.toString()))),
    Layer.provide(
      Layer.succeed(Socket.WebSocketConstructor, (address, protocols) =>
        new WebSocket(address, protocols, ca === undefined ? {} : { ca, allowPartialTrustChain: true } as WebSocket.ClientOptions) as unknown as globalThis.WebSocket
      )
    ),
    Layer.provide(RpcSerialization.layerJson)
  )
  return Effect.flatMap(Layer.build(protocol), (context) => RpcClient.make(EventsRpc).pipe(Effect.provide(context)))
}

/** Exponential backoff with jitter, capped: 0.5 s, 1 s, 2 s, … up to `capMillis`, ±20 %. */
export const backoffMillis = (attempt: number, capMillis: number, random: number) =>
  Math.round(Math.min(capMillis, 500 * 2 ** Math.min(attempt, 20)) * (0.8 + 0.4 * random))

export interface LiveEventHandlers {
  readonly onEvent: (event: LiveEvent) => Effect.Effect<void>
  /** Called when a subscription is made (again): reload state, events may have been missed. */
  readonly onSubscribed?: (again: boolean) => Effect.Effect<void>
  /** Called when the subscription broke and the next try is in `retryInMillis`. */
  readonly onLost?: (reason: string, retryInMillis: number) => Effect.Effect<void>
}

/**
 * Follows the live events forever: subscribes with a fresh access token, and subscribes again when
 * the stream ends (the token expired) or breaks (network, master restart), with backoff.
 */
export const followLiveEvents = (handlers: LiveEventHandlers, reconnectMaxSeconds: number) =>
  Effect.gen(function* () {
    const link = yield* MasterLink
    let attempt = 0
    let subscriptions = 0
    for (;;) {
      const started = Date.now()
      const result = yield* Effect.scoped(
        Effect.gen(function* () {
          const token = yield* link.accessToken
          const client = yield* eventsClient(link.baseUrl, link.ca)
          const again = subscriptions > 0
          subscriptions += 1
          // the server registers a subscriber asynchronously; say "subscribed" once it surely is
          yield* Effect.forkScoped(Effect.delay(handlers.onSubscribed?.(again) ?? Effect.void, "300 millis"))
          yield* client.SubscribeEvents({ accessToken: token }).pipe(Stream.runForEach(handlers.onEvent))
        })
      ).pipe(Effect.either)
      // a stream that lived a while was healthy: start the backoff over
      if (Date.now() - started > 30_000) attempt = 0
      if (result._tag === "Right") {
        // the token expired and the master closed the stream: subscribe again at once
        attempt = 0
        continue
      }
      const error = result.left
      const reason = (error as { _tag?: string })._tag === "NotSignedIn" ? "not signed in" : isTransportFailure(error) ? "master unreachable" : "connection lost"
      const wait = backoffMillis(attempt++, reconnectMaxSeconds * 1000, yield* Random.next)
      if (handlers.onLost) yield* handlers.onLost(reason, wait)
      yield* Effect.sleep(wait)
    }
  })
