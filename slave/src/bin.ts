#!/usr/bin/env node
import { Command, ValidationError } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Cause, Console, Effect, Layer, Option } from "effect"
import { slaveCli } from "./cli/commands.js"
import { failureLine } from "./cli/failureLine.js"
import { loggingFromEnv } from "./observability/Logging.js"
import { agentVersion } from "./version.js"

class Reported {
  readonly _tag = "Reported"
}

const main = Command.run(slaveCli, { name: "ncod-slave", version: agentVersion })(process.argv).pipe(
  Effect.catchAllCause((cause) =>
    Effect.gen(function* () {
      if (Cause.isInterruptedOnly(cause)) return yield* Effect.failCause(cause)
      const failure = Cause.failureOption(cause)
      // @effect/cli has already printed usage errors with help; a quiet failure has said its piece
      const silent = Option.exists(failure, (error) => ValidationError.isValidationError(error) || (error as { _tag?: string })._tag === "QuietFailure")
      if (!silent) yield* Console.error(`ncod-slave: ${failureLine(cause)}`)
      if (process.env["NCOD_LOG_LEVEL"]?.toLowerCase() === "debug") yield* Console.error(Cause.pretty(cause))
      return yield* Effect.fail(new Reported())
    })
  ),
  Effect.provide(Layer.mergeAll(NodeContext.layer, loggingFromEnv()))
)

NodeRuntime.runMain(main, { disableErrorReporting: true, disablePrettyLogger: true })
