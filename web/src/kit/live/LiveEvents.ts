import { Socket } from "@effect/platform"
import { RpcClient, RpcSerialization } from "@effect/rpc"
import { EventsRpc, type LiveEvent, Resync, RPC_PATH } from "@ncod/core"
import { Cause, DateTime, Duration, Effect, Exit, Fiber, Layer, Option, Stream } from "effect"
import type { Api } from "../api/ApiContext.js"

export type LiveStatus = "connecting" | "live" | "offline"

/** `wss:` beside `https:`, same host: the CSP allows only the page's own origin. */
export const rpcUrl = (baseUrl: string) => {
  const url = new URL(RPC_PATH, baseUrl)
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:"
  return url.toString()
}

/** Wait before the next attempt: nothing after a clean end (token expiry), else 1 s doubling to 30 s, jittered. */
export const backoffMs = (failures: number, random: () => number = Math.random) =>
  failures === 0 ? 0 : Math.round(Math.min(30_000, 1_000 * 2 ** (failures - 1)) * (0.75 + random() * 0.5))

/**
 * The protocol over one browser WebSocket. It lives in the scope of one subscription: when the
 * stream ends the socket closes, and the next subscription opens a fresh one.
 */
const protocolLayer = (url: string) =>
  RpcClient.layerProtocolSocket().pipe(
    Layer.provide(Socket.layerWebSocket(url)),
    Layer.provide(Socket.layerWebSocketConstructorGlobal),
    Layer.provide(RpcSerialization.layerJson)
  )

/**
 * Live events for one app: subscribes with the current access token, and when the master ends the
 * stream (the token expired) or the connection fails, subscribes again with a fresh token, backing
 * off on failures. After every re-subscription listeners get a `Resync`: events may have been
 * missed in between, so pages reload what they show.
 */
export class LiveEvents {
  private fiber: Fiber.RuntimeFiber<void, never> | undefined
  private statusValue: LiveStatus = "offline"
  private readonly listeners = new Set<(event: LiveEvent) => void>()
  private readonly statusListeners = new Set<(status: LiveStatus) => void>()

  constructor(private readonly api: Api) {}

  get status() {
    return this.statusValue
  }

  on(listener: (event: LiveEvent) => void) {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }

  onStatus(listener: (status: LiveStatus) => void) {
    this.statusListeners.add(listener)
    return () => void this.statusListeners.delete(listener)
  }

  start() {
    if (this.fiber !== undefined) return
    this.fiber = this.api.runtime.runFork(this.loop())
  }

  /**
   * Subscribes again now. The master decides what a subscriber may see when it subscribes, so
   * after the account changes (a pending user approved) the stream must be opened anew.
   */
  restart() {
    if (this.fiber === undefined) return
    this.stop()
    this.start()
  }

  stop() {
    const fiber = this.fiber
    this.fiber = undefined
    if (fiber !== undefined) this.api.runtime.runFork(Fiber.interrupt(fiber))
    this.setStatus("offline")
  }

  private setStatus(status: LiveStatus) {
    if (status === this.statusValue) return
    this.statusValue = status
    for (const listener of this.statusListeners) listener(status)
  }

  private emit(event: LiveEvent) {
    for (const listener of this.listeners) {
      try {
        listener(event)
      } catch (error) {
        console.error("live event listener failed", error)
      }
    }
  }

  private subscribeOnce(token: string, resync: boolean) {
    const url = rpcUrl(this.api.baseUrl)
    return Effect.scoped(
      Effect.gen(this, function* () {
        const context = yield* Layer.build(protocolLayer(url))
        const client = yield* RpcClient.make(EventsRpc).pipe(Effect.provide(context))
        this.setStatus("live")
        if (resync) this.emit(new Resync({ reason: "reconnected", at: yield* DateTime.now }))
        yield* client.SubscribeEvents({ accessToken: token }).pipe(Stream.runForEach((event) => Effect.sync(() => this.emit(event))))
      })
    )
  }

  private loop(): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      let failures = 0
      let first = true
      while (true) {
        this.setStatus(first ? "connecting" : this.statusValue)
        const token = yield* Effect.promise(() => this.api.auth.accessToken().catch(() => null))
        if (token === null) {
          // signed out or the master unreachable: look again shortly
          this.setStatus("offline")
          failures += 1
          yield* Effect.sleep(Duration.millis(backoffMs(failures)))
          continue
        }
        const started = Date.now()
        const exit = yield* Effect.exit(this.subscribeOnce(token, !first))
        first = false
        if (Exit.isSuccess(exit)) {
          // the master ended the stream: the token ran out; a fresh one follows at once
          failures = Date.now() - started < 5_000 ? failures + 1 : 0
        } else {
          this.setStatus("offline")
          failures = Date.now() - started > 60_000 ? 1 : failures + 1
          const error = Cause.failureOption(exit.cause).pipe(Option.getOrUndefined) as { _tag?: string } | undefined
          // a token the master no longer accepts (revoked, clock trouble): spend the refresh token
          if (error?._tag === "Unauthenticated") yield* Effect.promise(() => this.api.auth.refresh(token).catch(() => null))
        }
        yield* Effect.sleep(Duration.millis(backoffMs(failures)))
      }
    })
  }
}
