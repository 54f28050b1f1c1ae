import { Effect } from "effect"
import { makeSingleFlight } from "./SingleFlight.js"

export interface MemoOptions {
  /** How long a computed value is used. */
  readonly ttlMs: number
  /** A hit this close to expiry computes the next value in the background. */
  readonly refreshAheadMs: number
  /** Past this many values the memo starts over (a bound, not an LRU). */
  readonly maxEntries: number
  /** Called on every lookup: true when the value was remembered. */
  readonly onLookup?: (hit: boolean) => void
  readonly now?: () => number
}

/**
 * Values by key, computed on demand and kept for a while. Concurrent misses of one key share one
 * computation; a value read all the time is replaced in the background before it expires, so it
 * never expires in front of a caller; and a computation that raced `forget` or `clear` neither
 * stores what it computed nor is joined by callers that arrive after the change.
 */
export const makeMemo = <A>(options: MemoOptions) => {
  const now = options.now ?? Date.now
  const entries = new Map<string, { readonly value: A; readonly expiresAt: number }>()
  const flights = makeSingleFlight()
  // bumped by every change: a computation that started before one may hold the old value
  let changes = 0
  const flightKey = (key: string, at: number) => `${at}:${key}`

  const fill = (key: string, compute: Effect.Effect<A>) => {
    const startedAt = changes
    return flights.run(
      flightKey(key, startedAt),
      Effect.tap(compute, (value) => {
        if (startedAt !== changes) return
        if (entries.size >= options.maxEntries) entries.clear()
        entries.set(key, { value, expiresAt: now() + options.ttlMs })
      })
    )
  }

  return {
    get: (key: string, compute: Effect.Effect<A>): Effect.Effect<A> =>
      Effect.suspend(() => {
        const found = entries.get(key)
        const at = now()
        const hit = found !== undefined && found.expiresAt > at
        options.onLookup?.(hit)
        if (!hit) return fill(key, compute)
        if (found.expiresAt - at > options.refreshAheadMs || flights.running(flightKey(key, changes))) return Effect.succeed(found.value)
        return Effect.as(Effect.forkDaemon(fill(key, compute)), found.value)
      }),
    forget: (key: string) => {
      changes++
      entries.delete(key)
    },
    clear: () => {
      changes++
      entries.clear()
    }
  }
}
