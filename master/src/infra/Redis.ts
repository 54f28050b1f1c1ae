import { Context, Data, Effect, Layer, Option, Redacted } from "effect"
import { Redis } from "ioredis"

export class RedisUnavailable extends Data.TaggedError("RedisUnavailable")<{ readonly reason: string }> {
  override get message() {
    return `cannot use Redis at REDIS_URL: ${this.reason}`
  }
}

/** The Redis connection when REDIS_URL is set; `None` means in-process equivalents are used. */
export class RedisConnection extends Context.Tag("@ncod/master/RedisConnection")<RedisConnection, Option.Option<Redis>>() {}

/** Opens a Redis connection and proves it answers before the master starts relying on it. */
export const connectRedis = (url: Redacted.Redacted<string>, name: string) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const client = new Redis(Redacted.value(url), {
          lazyConnect: true,
          connectionName: name,
          maxRetriesPerRequest: 2,
          enableOfflineQueue: true,
          // keep reconnecting in the background; commands fail fast meanwhile
          retryStrategy: (attempt) => Math.min(attempt * 200, 5_000)
        })
        client.on("error", () => {
          // connection errors surface through the commands that fail; ioredis reconnects by itself
        })
        await client.connect()
        await client.ping()
        return client
      },
      catch: (error) => new RedisUnavailable({ reason: (error as Error).message })
    }),
    (client) => Effect.promise(() => client.quit().catch(() => client.disconnect()))
  )

export const redisLayer = (url: Option.Option<Redacted.Redacted<string>>) =>
  Layer.scoped(
    RedisConnection,
    Option.match(url, {
      onNone: () => Effect.succeed(Option.none<Redis>()),
      onSome: (value) => Effect.map(connectRedis(value, "ncod-master"), Option.some)
    })
  )

/** A connection of its own subscribed to `channel` (a subscribed Redis connection cannot run commands). */
export const subscribedConnection = (redis: Redis, channel: string) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const connection = redis.duplicate()
      await connection.subscribe(channel)
      return connection
    }),
    (connection) => Effect.promise(() => connection.quit().catch(() => connection.disconnect()))
  )
