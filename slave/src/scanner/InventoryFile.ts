import { AccessMode, ReportedDevice, VhServerStatus } from "@ncod/core"
import { Effect, Either, Schema } from "effect"
import { readIfExists, writeAtomically } from "../config/files.js"
import type { LocalState } from "./Scanner.js"

const StoredState = Schema.Struct({
  devices: Schema.Array(ReportedDevice),
  server: Schema.NullOr(VhServerStatus),
  accessMode: AccessMode,
  degraded: Schema.Boolean
})

/**
 * `inventory.json` in the state directory: the last inventory a scan saw. After a restart with
 * vhusbd or its client not (yet) answering, the agent reports these devices as degraded instead of
 * an empty list, which the master would read as every device unplugged (ending their leases).
 */
export const loadInventory = (file: string) =>
  readIfExists(file).pipe(
    Effect.map((text) => {
      if (text === undefined) return undefined
      const decoded = Either.try(() => JSON.parse(text) as unknown).pipe(Either.flatMap((json) => Schema.decodeUnknownEither(StoredState)(json)))
      return Either.isRight(decoded) ? (decoded.right as LocalState) : undefined
    }),
    Effect.orElseSucceed(() => undefined)
  )

export const saveInventory = (file: string) => (state: LocalState) =>
  writeAtomically(file, JSON.stringify(state) + "\n", 0o644, { durable: false }).pipe(
    Effect.catchAll((error) => Effect.logDebug("cannot keep the inventory").pipe(Effect.annotateLogs({ reason: error.message })))
  )
