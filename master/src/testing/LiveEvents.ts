import type { LiveEvent } from "@ncod/core"
import { liveEventsClient } from "@ncod/core/node"
import { Effect, type Fiber, Stream } from "effect"

/**
 * Subscribes to a master's live events over the real WebSocket RPC and collects them in the
 * background until the scope closes. Resolves once the subscription is established.
 */
export const collectLiveEvents = (master: { readonly url: string; readonly ca: string }, accessToken: string) =>
  Effect.gen(function* () {
    const events: Array<LiveEvent> = []
    const client = yield* liveEventsClient(master.url, master.ca)
    const fiber = yield* client.SubscribeEvents({ accessToken }).pipe(
      Stream.runForEach((event) => Effect.sync(() => void events.push(event))),
      Effect.forkScoped
    )
    // the server registers the subscriber asynchronously: give it a moment before acting
    yield* Effect.sleep("300 millis")
    return { events, fiber: fiber as Fiber.RuntimeFiber<void, unknown> }
  })
