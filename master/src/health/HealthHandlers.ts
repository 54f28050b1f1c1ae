import { HttpApiBuilder } from "@effect/platform"
import { NcodApi, NotReady } from "@ncod/core"
import { ping, schemaStatus } from "@ncod/sql"
import { Duration, Effect } from "effect"

/**
 * Liveness says the process serves HTTP; readiness says it can do its job: the database answers
 * within a second and carries every migration this build expects.
 */
export const HealthHandlers = HttpApiBuilder.group(NcodApi, "health", (handlers) =>
  handlers
    .handle("liveness", () => Effect.succeed({ status: "ok" as const }))
    .handle("readiness", () =>
      Effect.gen(function* () {
        const database = yield* ping.pipe(
          Effect.timeout(Duration.seconds(1)),
          Effect.as("ok"),
          Effect.catchAllCause(() => Effect.succeed("unreachable"))
        )
        const schema =
          database === "ok"
            ? yield* schemaStatus.pipe(
                Effect.map(({ applied, expected }) =>
                  applied >= expected ? "ok" : `behind (migration ${applied} of ${expected})`
                ),
                Effect.catchAllCause(() => Effect.succeed("unknown"))
              )
            : "unknown"
        const checks = { database, migrations: schema }
        if (database !== "ok" || schema !== "ok") return yield* new NotReady({ checks })
        return { status: "ready" as const, checks }
      })
    )
)
