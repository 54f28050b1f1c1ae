import { LiveEvent, Resync } from "@ncod/core"
import { Context, DateTime, Effect, Layer, Option, Queue, Schema, Stream } from "effect"
import { randomUUID } from "node:crypto"
import { RedisConnection, subscribedConnection } from "../infra/Redis.js"

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

const Envelope = Schema.parseJson(Schema.Struct({ origin: Schema.String, event: LiveEvent }))

/**
 * With Redis, events also cross masters: each is published on one channel with this master's id,
 * and every master re-publishes locally what the others sent. Without Redis, the bus is local.
 */
export const eventBusLayer = (prefix: string) =>
  Layer.scoped(
    EventBus,
    Effect.gen(function* () {
      const local = yield* makeEventBus
      const redis = yield* RedisConnection
      if (Option.isNone(redis)) return local
      const channel = `${prefix}events`
      const origin = randomUUID()
      const subscriber = yield* subscribedConnection(redis.value, channel)
      const decode = Schema.decodeUnknownOption(Envelope)
      subscriber.on("message", (_channel: string, message: string) => {
        const envelope = decode(message)
        if (Option.isSome(envelope) && envelope.value.origin !== origin) Effect.runFork(local.publish(envelope.value.event))
      })
      const encode = Schema.encodeSync(Envelope)
      return {
        ...local,
        publish: (event: LiveEvent) =>
          Effect.zipRight(
            local.publish(event),
            Effect.promise(() => redis.value.publish(channel, encode({ origin, event })).catch(() => 0))
          )
      }
    })
  )
