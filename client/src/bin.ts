#!/usr/bin/env node
import { Command, ValidationError } from "@effect/cli"
import { NodeContext } from "@effect/platform-node"
import { Cause, type Console, Effect, Exit, Fiber, Option } from "effect"
import { ncodCli } from "./commands/Cli.js"
import { interruptExit } from "./commands/Connect.js"
import { describeFailure, ExitCode } from "./commands/Failure.js"
import { loadSettings, Settings } from "./config/ClientConfig.js"
import { useColor } from "./ui/Output.js"
import { clientVersion } from "./version.js"

const ansi = /\x1b\[[0-9;?]*[A-Za-z]/g

/** @effect/cli colours its help and errors always: keep colours to terminals (and NO_COLOR). */
const plainWhereNeeded = Effect.flatMap(Effect.console, (console) => {
  const strip = (enabled: boolean) => (args: ReadonlyArray<unknown>) => (enabled ? args : args.map((arg) => (typeof arg === "string" ? arg.replace(ansi, "") : arg)))
  const out = strip(useColor(process.stdout))
  const err = strip(useColor(process.stderr))
  return Effect.succeed<Console.Console>({ ...console, log: (...args) => console.log(...out(args)), error: (...args) => console.error(...err(args)) })
})

const program = Effect.gen(function* () {
  const settings = yield* loadSettings
  const console = yield* plainWhereNeeded
  yield* Command.run(ncodCli, { name: "ncod", version: clientVersion })(process.argv).pipe(
    Effect.provideService(Settings, settings),
    Effect.withConsole(console)
  )
}).pipe(Effect.provide(NodeContext.layer))

/** Prints the one line for a failure and gives the exit code (see client/README.md). */
const exitCodeOf = (exit: Exit.Exit<void, unknown>): number => {
  if (Exit.isSuccess(exit)) return ExitCode.ok
  if (Cause.isInterruptedOnly(exit.cause)) return interruptExit.code
  const failure = Cause.failureOption(exit.cause)
  if (Option.isSome(failure)) {
    // @effect/cli has already printed usage errors with help
    if (ValidationError.isValidationError(failure.value)) return ExitCode.usage
    const { code, message } = describeFailure(failure.value)
    if (message) process.stderr.write(`ncod: ${message}\n`)
    if (process.env["NCOD_DEBUG"]) process.stderr.write(`${Cause.pretty(exit.cause)}\n`)
    return code
  }
  process.stderr.write(`ncod: unexpected error (set NCOD_DEBUG=1 for details): ${Cause.squash(exit.cause)}\n`)
  if (process.env["NCOD_DEBUG"]) process.stderr.write(`${Cause.pretty(exit.cause)}\n`)
  return ExitCode.unexpected
}

const fiber = Effect.runFork(program)

// Ctrl+C or SIGTERM interrupts the command so its finalizers run (connect stops using the device
// and releases the lease). A terminal's Ctrl+C reaches this process and the launcher, which
// forwards it: SIGINTs within a second count as one. A second deliberate one warns, a third quits.
let signals = 0
let firstAt = 0
const onSignal = () => {
  const now = Date.now()
  if (signals === 0) {
    signals = 1
    firstAt = now
    Effect.runFork(Fiber.interrupt(fiber))
    return
  }
  if (now - firstAt < 1000) return
  signals += 1
  if (signals === 2) process.stderr.write("\nncod: still cleaning up (releasing the device); press Ctrl+C again to quit at once\n")
  else {
    // leaving without the finalizers: give the terminal its cursor and normal screen back
    if (process.stdout.isTTY) process.stdout.write("\x1b[?25h\x1b[?1049l")
    process.exit(130)
  }
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, onSignal)

fiber.addObserver((exit) => {
  const code = exitCodeOf(exit)
  // let pending output reach a pipe before leaving; open sockets must not keep the process alive
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)))
})
