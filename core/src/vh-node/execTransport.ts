import { execFile, type ExecFileException } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Layer } from "effect"
import { isClientNotRunningText, type VhCommand, VhClientNotRunning, VhCommandFailed } from "../vh/index.js"
import { makeTransport, VhTransport, type VhTransportPolicy } from "./VhTransport.js"

/**
 * Any OS: run the client binary as `<binary> -t "<command>"`; it passes the command to the running
 * instance and prints the reply. The exit status is not documented, so the text decides. The
 * Windows GUI client has no console: there `-r <file>` makes it write the reply to a file.
 */
export interface VhExecOptions {
  /** e.g. `vhclientx86_64`, `/usr/local/bin/vhclientarm64`, `C:\\Program Files\\VirtualHere\\vhui64.exe`. */
  readonly binary: string
  /** Arguments placed before `-t` (a launcher script, for instance). */
  readonly args?: ReadonlyArray<string>
  readonly env?: Readonly<Record<string, string>>
  /** Use `-r <temp file>` and read the reply from it (Windows GUI client). */
  readonly replyFile?: boolean
}

export const sendViaExec = (options: VhExecOptions) => (command: VhCommand) =>
  Effect.gen(function* () {
    const replyFile = options.replyFile
      ? path.join(yield* Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "vhreply-"))), "reply.txt")
      : undefined
    const args = [...(options.args ?? []), "-t", command, ...(replyFile ? ["-r", replyFile] : [])]
    const { stdout, failure } = yield* Effect.async<{ stdout: string; failure: ExecFileException | null }>((resume) => {
      const child = execFile(
        options.binary,
        args,
        { env: { ...process.env, ...options.env }, windowsHide: true, maxBuffer: 16 * 1024 * 1024 },
        (error, out) => resume(Effect.succeed({ stdout: String(out), failure: error }))
      )
      return Effect.sync(() => child.kill())
    })
    if (failure?.code === "ENOENT") {
      return yield* new VhClientNotRunning({ detail: `${options.binary} not found` })
    }
    const reply = replyFile
      ? yield* Effect.tryPromise({ try: () => fs.readFile(replyFile, "utf8"), catch: () => undefined }).pipe(
          Effect.orElseSucceed(() => stdout),
          Effect.ensuring(Effect.promise(() => fs.rm(path.dirname(replyFile), { recursive: true, force: true })))
        )
      : stdout
    if (isClientNotRunningText(reply)) return yield* new VhClientNotRunning({ detail: reply.trim() })
    if (reply === "" && failure !== null) {
      return yield* new VhCommandFailed({ command, reason: `${options.binary} exited with ${String(failure.code)}` })
    }
    return reply
  })

export const layerExecTransport = (options: VhExecOptions & VhTransportPolicy) =>
  Layer.effect(VhTransport, makeTransport(sendViaExec(options), options))
