import { type LiveEvent, Resync } from "@ncod/core"
import { Context, DateTime, Effect, Layer, Queue, Stream } from "effect"

/**
 * In-process fan-out of live events. Each subscriber has its own bounded queue: a slow subscriber
 * loses events (and is told to resync), it never slows down the publishers.
 */
export class EventBus extends Context.Tag("@ncod/master/EventBus")<
  EventBus,
  {
    readonly publish: (event: LiveEvent) => Effect.Effect<void>
    /** A stream of every event from now on; a `Resync` marks where events were dropped. */
    readonly subscribe: Stream.Stream<LiveEvent>
    readonly subscriberCount: Effect.Effect<number>
  }
>() {}

interface Subscriber {
  readonly queue: Queue.Queue<LiveEvent>
  dropped: boolean
}

const SUBSCRIBER_BUFFER = 512

export const makeEventBus = Effect.sync(() => {
  const subscribers = new Set<Subscriber>()

  const publish = (event: LiveEvent) =>
    Effect.sync(() => {
      for (const subscriber of subscribers) {
        if (!subscriber.queue.unsafeOffer(event)) subscriber.dropped = true
      }
    })

  const subscribe = Stream.unwrapScoped(
    Effect.gen(function* () {
      const subscriber: Subscriber = { queue: yield* Queue.dropping<LiveEvent>(SUBSCRIBER_BUFFER), dropped: false }
      yield* Effect.acquireRelease(
        Effect.sync(() => subscribers.add(subscriber)),
        () => Effect.zipRight(Effect.sync(() => subscribers.delete(subscriber)), Queue.shutdown(subscriber.queue))
      )
      return Stream.repeatEffect(
        Effect.gen(function* () {
          const event = yield* Queue.take(subscriber.queue)
          if (!subscriber.dropped) return [event]
          subscriber.dropped = false
          return [new Resync({ reason: "events were dropped for a slow subscriber", at: yield* DateTime.now }), event]
        })
      ).pipe(Stream.flattenIterables)
    })
  )

  return { publish, subscribe, subscriberCount: Effect.sync(() => subscribers.size) }
})

export const EventBusLive = Layer.effect(EventBus, makeEventBus)
