import { constants as fsConstants, open as openFd } from "node:fs"
import * as fs from "node:fs/promises"
import * as net from "node:net"
import { Effect, Layer } from "effect"
import { type VhCommand, VhClientNotRunning, VhCommandFailed } from "../vh/index.js"
import { makeTransport, VhTransport, VhTransportBusy, type VhTransportPolicy } from "./VhTransport.js"

/**
 * Linux/macOS: the client daemon reads commands from the FIFO `/tmp/vhclient` and writes each
 * reply to the FIFO `/tmp/vhclient_response`, closing it at the end.
 *
 * Every open here is non-blocking, so nothing can hang a libuv thread: a command pipe without a
 * reader fails at once with ENXIO (client not running) instead of blocking forever, and the
 * reply is read through a libuv pipe handle that waits in epoll, not in a blocking read().
 * The reply pipe is opened before the command is written so a fast reply is never missed, and a
 * stale reply left by an earlier timed-out command is drained first.
 */
export interface VhFifoPaths {
  readonly commandPipe?: string
  readonly responsePipe?: string
  /** How long the stale-reply drain listens before each command; default 0 (take what is there). */
  readonly drainGraceMillis?: number
  /** The same after a command whose reply was never collected (timed out); default 250 ms. */
  readonly staleDrainGraceMillis?: number
}
export const defaultFifoPaths = { commandPipe: "/tmp/vhclient", responsePipe: "/tmp/vhclient_response" } as const

const errno = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code

const isFifo = (path: string) =>
  Effect.tryPromise({ try: () => fs.stat(path), catch: (error) => error }).pipe(
    Effect.map((stat) => stat.isFIFO()),
    Effect.orElseSucceed(() => false)
  )

const openFile = (path: string, flags: number) =>
  Effect.tryPromise({ try: () => fs.open(path, flags), catch: (error) => error })

/**
 * Reads whatever an earlier reply left in the pipe. A client still waiting to deliver a reply
 * nobody collected is blocked in open() until a reader appears; opening ours releases it, so the
 * drain listens for a short grace period to swallow that late reply too.
 */
const drainStaleReply = (path: string, graceMillis: number) =>
  Effect.acquireUseRelease(
    openFile(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK),
    (handle) =>
      Effect.tryPromise({
        try: async () => {
          const buffer = Buffer.alloc(65536)
          const deadline = Date.now() + graceMillis
          // Bounded: a writer that never stops cannot keep the drain (or this promise) alive.
          for (let reads = 0; reads < 1024; reads++) {
            const bytesRead = await handle.read(buffer, 0, buffer.length, null).then(
              (result) => result.bytesRead,
              (error: unknown) => (errno(error) === "EAGAIN" ? 0 : -1)
            )
            if (bytesRead < 0) return
            if (bytesRead === 0) {
              if (Date.now() >= deadline) return
              await new Promise((resolve) => setTimeout(resolve, 5))
            }
          }
        },
        catch: (error) => error
      }).pipe(Effect.orElse(() => Effect.void)),
    (handle) => Effect.promise(() => handle.close())
  ).pipe(Effect.orElse(() => Effect.void))

/** Opens the reply pipe and collects until the writer closes it. */
const openReplyReader = (path: string) =>
  Effect.acquireRelease(
    // A raw descriptor, not a FileHandle: the socket owns and closes it.
    Effect.async<number, VhClientNotRunning>((resume) =>
      openFd(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK, (error, fd) =>
        resume(
          error
            ? Effect.fail(new VhClientNotRunning({ detail: `cannot open ${path}: ${errno(error) ?? String(error)}` }))
            : Effect.succeed(fd)
        )
      )
    ).pipe(
      Effect.map((fd) => {
        const socket = new net.Socket({ fd, readable: true, writable: false })
        const chunks: Array<Buffer> = []
        const done = new Promise<string>((resolve, reject) => {
          socket.on("data", (chunk: Buffer) => chunks.push(chunk))
          socket.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
          socket.on("error", reject)
        })
        done.catch(() => undefined)
        return { socket, done }
      })
    ),
    ({ socket }) => Effect.sync(() => socket.destroy())
  )

const writeCommand = (path: string, command: VhCommand) =>
  Effect.acquireUseRelease(
    openFile(path, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK).pipe(
      Effect.mapError((error) =>
        errno(error) === "ENXIO" || errno(error) === "ENOENT"
          ? new VhClientNotRunning({ detail: `nobody reads ${path} (${errno(error)})` })
          : new VhCommandFailed({ command, reason: `cannot open ${path}: ${errno(error) ?? String(error)}` })
      )
    ),
    (handle) =>
      Effect.tryPromise({
        try: () => handle.write(`${command}\n`),
        catch: (error) =>
          errno(error) === "EAGAIN"
            ? new VhTransportBusy({ detail: "command pipe full" })
            : new VhCommandFailed({ command, reason: `write failed: ${errno(error) ?? String(error)}` })
      }),
    (handle) => Effect.promise(() => handle.close())
  )

export const sendViaFifo = (paths: VhFifoPaths = {}) => {
  const commandPipe = paths.commandPipe ?? defaultFifoPaths.commandPipe
  const responsePipe = paths.responsePipe ?? defaultFifoPaths.responsePipe
  // A reply left uncollected is the usual source of a stale one: listen longer before the next command.
  let replyLeftBehind = false
  return (command: VhCommand) =>
    Effect.suspend(() => {
      const grace = replyLeftBehind ? (paths.staleDrainGraceMillis ?? 250) : (paths.drainGraceMillis ?? 0)
      replyLeftBehind = true
      return exchange(command, grace).pipe(Effect.tap(() => Effect.sync(() => (replyLeftBehind = false))))
    })

  function exchange(command: VhCommand, grace: number) {
    return Effect.scoped(
      Effect.gen(function* () {
        if (!(yield* isFifo(commandPipe)) || !(yield* isFifo(responsePipe))) {
          return yield* new VhClientNotRunning({ detail: `${commandPipe} or ${responsePipe} is not a FIFO` })
        }
        yield* drainStaleReply(responsePipe, grace)
        const reader = yield* openReplyReader(responsePipe)
        yield* writeCommand(commandPipe, command)
        return yield* Effect.tryPromise({
          try: () => reader.done,
          catch: (error) => new VhCommandFailed({ command, reason: `reading the reply failed: ${String(error)}` })
        })
      })
    )
  }
}

export const layerFifoTransport = (options: VhFifoPaths & VhTransportPolicy = {}) =>
  Layer.effect(VhTransport, makeTransport(sendViaFifo(options), options))
