#!/usr/bin/env node
import { Command, ValidationError } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Cause, Config, Console, Effect, Layer, Option } from "effect"
import { WorkerStartFailed } from "./cluster/Primary.js"
import { failureLine } from "./cli/failureLine.js"
import { masterCli } from "./cli/commands.js"
import { configProviderLayer } from "./config/ConfigLayer.js"
import { masterVersion } from "./meta/Version.js"

const listenContext = Effect.all({
  host: Config.string("NCOD_HOST").pipe(Config.withDefault("0.0.0.0")),
  port: Config.integer("NCOD_PORT").pipe(Config.withDefault(8443))
}).pipe(Effect.orElseSucceed(() => ({ host: "0.0.0.0", port: 8443 })))

class Reported {
  readonly _tag = "Reported"
}

const main = Command.run(masterCli, { name: "ncod-master", version: masterVersion })(process.argv).pipe(
  Effect.catchAllCause((cause) =>
    Effect.gen(function* () {
      if (Cause.isInterruptedOnly(cause)) return yield* Effect.failCause(cause)
      // @effect/cli has already printed usage errors with help
      const usageError = Option.exists(Cause.failureOption(cause), ValidationError.isValidationError)
      // a worker that could not start has printed its own reason
      const reportedByWorker = Option.exists(Cause.failureOption(cause), (e) => e instanceof WorkerStartFailed && e.reported)
      if (!usageError && !reportedByWorker) yield* Console.error(`ncod-master: ${failureLine(cause, yield* listenContext)}`)
      if (process.env["NCOD_LOG_LEVEL"]?.toLowerCase() === "debug") yield* Console.error(Cause.pretty(cause))
      return yield* Effect.fail(new Reported())
    })
  ),
  Effect.provide(Layer.mergeAll(NodeContext.layer, configProviderLayer))
)

NodeRuntime.runMain(main, { disableErrorReporting: true, disablePrettyLogger: true })
