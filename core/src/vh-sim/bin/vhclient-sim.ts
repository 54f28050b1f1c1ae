/**
 * The simulated VirtualHere client binary.
 *
 *   vhclient-sim -t "<command>" [-r <file>]   send one command to the running (simulated) client
 *                                             daemon and print its reply, like `vhclientx86_64 -t`
 *   vhclient-sim -n --username <u> …          run a simulated client daemon in the foreground
 *
 * Pipe paths: --command-pipe/--response-pipe, else VHCLIENT_COMMAND_PIPE/VHCLIENT_RESPONSE_PIPE,
 * else /tmp/vhclient and /tmp/vhclient_response, as the real client.
 */
import { writeFileSync } from "node:fs"
import { parseArgs } from "node:util"
import { Effect, Exit } from "effect"
import type { VhCommand } from "../../vh/index.js"
import { sendViaFifo } from "../../vh-node/fifoTransport.js"
import { SimClientDaemon } from "../SimClientDaemon.js"

const { values } = parseArgs({
  options: {
    t: { type: "string", short: "t" },
    r: { type: "string", short: "r" },
    n: { type: "boolean", short: "n" },
    "command-pipe": { type: "string" },
    "response-pipe": { type: "string" },
    "duplex-pipe": { type: "string" },
    "full-name": { type: "string" },
    username: { type: "string" },
    hostname: { type: "string" },
    hub: { type: "string", multiple: true },
    "timeout-ms": { type: "string" }
  },
  strict: true
})

const commandPipe = values["command-pipe"] ?? process.env["VHCLIENT_COMMAND_PIPE"] ?? "/tmp/vhclient"
const responsePipe = values["response-pipe"] ?? process.env["VHCLIENT_RESPONSE_PIPE"] ?? "/tmp/vhclient_response"

const runCommand = async (command: string) => {
  const timeoutMillis = Number(values["timeout-ms"] ?? process.env["VHCLIENT_SIM_TIMEOUT_MS"] ?? 5000)
  const exit = await Effect.runPromiseExit(
    sendViaFifo({ commandPipe, responsePipe })(command as VhCommand).pipe(Effect.timeout(timeoutMillis))
  )
  let output: string
  let code = 0
  if (Exit.isSuccess(exit)) {
    output = exit.value
  } else {
    // The texts the real binary prints when no client instance answers.
    const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
    output = error && error._tag === "VhClientNotRunning" ? "An existing client is not running.\n" : "No response from IPC server\n"
    code = 1
  }
  if (values.r) writeFileSync(values.r, output)
  else process.stdout.write(output)
  process.exitCode = code
}

const runDaemon = async () => {
  const daemon = await SimClientDaemon.start({
    fullName: values["full-name"] ?? "",
    username: values.username ?? process.env["USER"] ?? "user",
    hostname: values.hostname ?? "sim-client",
    commandPipe,
    responsePipe,
    ...(values["duplex-pipe"] ? { duplexPipePath: values["duplex-pipe"] } : {}),
    hubs: values.hub ?? []
  })
  process.stdout.write(`${JSON.stringify({ event: "ready", clientId: daemon.clientId, commandPipe, responsePipe })}\n`)
  const stop = () => void daemon.stop().then(() => process.exit(0))
  process.on("SIGTERM", stop)
  process.on("SIGINT", stop)
}

if (values.t !== undefined) await runCommand(values.t)
else if (values.n) await runDaemon()
else {
  process.stderr.write('usage: vhclient-sim -t "<command>" | vhclient-sim -n [--username u --hostname h --hub host:port]\n')
  process.exitCode = 2
}
