#!/usr/bin/env node
/**
 * `ncod-vh parse <list|state|device-info|server-info>`: reads a VirtualHere client reply on stdin
 * and prints the parsed model as JSON. For people debugging a site (paste what `vhclient -t LIST`
 * printed) and for black-box tests. Exit 2 with one readable line when the text does not parse.
 */
import { Args, Command, ValidationError } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Either } from "effect"
import { parseClientState, parseDeviceInfoReply, parseListReply, parseServerInfoReply, type VhParseError } from "../vh/index.js"

type Kind = "list" | "state" | "device-info" | "server-info"
const parsers: Record<Kind, (text: string) => Either.Either<unknown, VhParseError>> = {
  list: parseListReply,
  state: parseClientState,
  "device-info": parseDeviceInfoReply,
  "server-info": parseServerInfoReply
}

const readStdin = Effect.promise(async () => {
  const chunks: Array<Buffer> = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString("utf8")
})

const describeError = (error: VhParseError) =>
  `ncod-vh: cannot parse the ${error.reply} reply: ${error.message}${error.line === undefined ? "" : ` (line ${error.line})`}`

const parse = Command.make(
  "parse",
  { kind: Args.choice(Object.keys(parsers).map((key) => [key, key as Kind]), { name: "kind" }) },
  ({ kind }) =>
    Effect.gen(function* () {
      const parsed = parsers[kind](yield* readStdin)
      if (Either.isLeft(parsed)) {
        yield* Console.error(describeError(parsed.left))
        yield* Effect.sync(() => {
          process.exitCode = 2
        })
        return
      }
      yield* Console.log(JSON.stringify(parsed.right, null, 2))
    })
).pipe(Command.withDescription("Parse a VirtualHere client reply read from stdin and print it as JSON"))

const cli = Command.make("ncod-vh").pipe(Command.withSubcommands([parse]))

const main = Command.run(cli, { name: "ncod-vh", version: "0.1.0" })(process.argv).pipe(
  // @effect/cli has already printed the usage error with help.
  Effect.catchIf(ValidationError.isValidationError, () =>
    Effect.sync(() => {
      process.exitCode = 1
    })
  ),
  Effect.provide(NodeContext.layer)
)

NodeRuntime.runMain(main)
