import { HttpApiBuilder } from "@effect/platform"
import { NcodApi } from "@ncod/core"
import { DatabaseInfo } from "@ncod/sql"
import { DateTime, Effect } from "effect"
import { masterVersion } from "./Version.js"

export const MetaHandlers = HttpApiBuilder.group(NcodApi, "meta", (handlers) =>
  Effect.gen(function* () {
    const database = yield* DatabaseInfo
    return handlers.handle("info", () =>
      Effect.map(DateTime.now, (serverTime) => ({
        product: "ncod" as const,
        version: masterVersion,
        apiVersion: "v1" as const,
        database: database.kind,
        serverTime
      }))
    )
  })
)
