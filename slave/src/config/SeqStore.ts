import { Effect, Ref } from "effect"
import { readIfExists, writeAtomically } from "./files.js"

/**
 * Report sequence numbers must increase strictly across restarts (the master drops anything not
 * above the last it saw). Each number is `max(last + 1, now in ms)`: the wall clock keeps it ahead
 * of anything sent before a lost state file, and the persisted value keeps it ahead when the clock
 * steps back. The number is written before it is used.
 */
export const makeSeqStore = (file: string, clock: () => number = Date.now) =>
  Effect.gen(function* () {
    const stored = Number((yield* readIfExists(file).pipe(Effect.orElseSucceed(() => undefined)))?.trim() ?? "0")
    const last = yield* Ref.make(Number.isSafeInteger(stored) && stored > 0 ? stored : 0)
    const next = Ref.modify(last, (previous) => {
      const value = Math.min(Math.max(previous + 1, clock()), Number.MAX_SAFE_INTEGER)
      return [value, value] as const
    }).pipe(
      Effect.tap((value) =>
        // a read-only state directory must not stop reporting: the clock still keeps order
        writeAtomically(file, `${value}\n`, 0o644, { durable: false }).pipe(Effect.catchAll((error) => Effect.logDebug(`cannot persist seq: ${error.message}`)))
      )
    )
    return { next, current: Ref.get(last) }
  })
