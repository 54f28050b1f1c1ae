import * as net from "node:net"
import { Effect, Layer } from "effect"
import { type VhCommand, VhClientNotRunning, VhCommandFailed } from "../vh/index.js"
import { makeTransport, VhTransport, VhTransportBusy, type VhTransportPolicy } from "./VhTransport.js"

/**
 * Windows: one duplex named pipe `\\.\pipe\vhclient` in message mode: write the command, read one
 * message. Node sees a stream, so the reply ends when the server closes the pipe or, because a
 * message-mode server may keep it open, after a short quiet gap once bytes have arrived.
 * ERROR_PIPE_BUSY (all instances in use) is retried. The same code talks to a Unix socket, which
 * is how it is tested here.
 */
export interface VhWindowsPipeOptions {
  readonly pipePath?: string
  /** Silence after the first bytes that ends a reply; default 150 ms. */
  readonly quietMillis?: number
}
export const defaultWindowsPipePath = "\\\\.\\pipe\\vhclient"

export const sendViaWindowsPipe = (options: VhWindowsPipeOptions = {}) => {
  const pipePath = options.pipePath ?? defaultWindowsPipePath
  const quietMillis = options.quietMillis ?? 150
  return (command: VhCommand) =>
    Effect.async<string, VhClientNotRunning | VhCommandFailed | VhTransportBusy>((resume) => {
      const chunks: Array<Buffer> = []
      let quiet: NodeJS.Timeout | undefined
      let settled = false
      const finish = (effect: Effect.Effect<string, VhClientNotRunning | VhCommandFailed | VhTransportBusy>) => {
        if (settled) return
        settled = true
        if (quiet) clearTimeout(quiet)
        socket.destroy()
        resume(effect)
      }
      const socket = net.connect(pipePath, () => socket.write(`${command}\n`))
      socket.on("data", (chunk: Buffer) => {
        chunks.push(chunk)
        if (quiet) clearTimeout(quiet)
        quiet = setTimeout(() => finish(Effect.succeed(Buffer.concat(chunks).toString("utf8"))), quietMillis)
      })
      socket.on("end", () => finish(Effect.succeed(Buffer.concat(chunks).toString("utf8"))))
      socket.on("error", (error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT" || error.code === "ECONNREFUSED") {
          finish(Effect.fail(new VhClientNotRunning({ detail: `${pipePath}: ${error.code}` })))
        } else if (error.code === "EBUSY" || error.code === "EAGAIN" || /231|PIPE_BUSY/.test(String(error.message))) {
          finish(Effect.fail(new VhTransportBusy({ detail: `${pipePath} busy` })))
        } else {
          finish(Effect.fail(new VhCommandFailed({ command, reason: `${pipePath}: ${error.code ?? error.message}` })))
        }
      })
      return Effect.sync(() => {
        settled = true
        if (quiet) clearTimeout(quiet)
        socket.destroy()
      })
    })
}

export const layerWindowsPipeTransport = (options: VhWindowsPipeOptions & VhTransportPolicy = {}) =>
  Layer.effect(VhTransport, makeTransport(sendViaWindowsPipe(options), options))
