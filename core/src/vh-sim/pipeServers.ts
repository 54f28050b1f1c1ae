import { execFileSync } from "node:child_process"
import { constants as fsConstants, open as openFd, promises as fs } from "node:fs"
import * as net from "node:net"

/**
 * Serves the client API the way the Linux/macOS daemon does: commands arrive as lines on one FIFO,
 * each reply is written to the other FIFO, which is then closed so the reader sees EOF. Also a
 * duplex socket server with the Windows pipe's request/response shape, for testing that transport.
 */
export type CommandHandler = (line: string) => Promise<string>

const errno = (error: unknown) => (error as NodeJS.ErrnoException | null)?.code

/** Node has no mkfifo; the coreutils binary is on every Linux and macOS machine. */
export const ensureFifo = async (path: string): Promise<void> => {
  const stat = await fs.lstat(path).catch(() => undefined)
  if (stat?.isFIFO()) return
  if (stat) await fs.rm(path, { force: true })
  execFileSync("mkfifo", ["-m", "600", path])
}

const openAsync = (path: string, flags: number) =>
  new Promise<number>((resolve, reject) => openFd(path, flags, (error, fd) => (error ? reject(error) : resolve(fd))))

export class FifoCommandServer {
  private reader: net.Socket | undefined
  private queue: Promise<void> = Promise.resolve()
  private stopped = false

  private constructor(
    readonly commandPipe: string,
    readonly responsePipe: string,
    private readonly handle: CommandHandler,
    private readonly replyOpenTimeoutMillis: number
  ) {}

  static async start(
    commandPipe: string,
    responsePipe: string,
    handle: CommandHandler,
    replyOpenTimeoutMillis = 2_000
  ): Promise<FifoCommandServer> {
    await ensureFifo(commandPipe)
    await ensureFifo(responsePipe)
    const server = new FifoCommandServer(commandPipe, responsePipe, handle, replyOpenTimeoutMillis)
    await server.resume()
    return server
  }

  get listening(): boolean {
    return this.reader !== undefined
  }

  /** Resolves once every received command has been answered (or its reply given up). */
  whenIdle(): Promise<void> {
    return this.queue
  }

  /** Reads commands again after `pause` (O_RDWR so the pipe never reports EOF between writers). */
  async resume(): Promise<void> {
    if (this.reader || this.stopped) return
    const fd = await openAsync(this.commandPipe, fsConstants.O_RDWR)
    const socket = new net.Socket({ fd, readable: true, writable: false })
    let buffer = ""
    socket.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8")
      let newline = buffer.indexOf("\n")
      while (newline >= 0) {
        const line = buffer.slice(0, newline)
        buffer = buffer.slice(newline + 1)
        this.queue = this.queue.then(() => this.serve(line))
        newline = buffer.indexOf("\n")
      }
    })
    socket.on("error", () => undefined)
    this.reader = socket
  }

  /** Stops reading commands but leaves the FIFOs in place: a writer then gets ENXIO. */
  pause(): void {
    this.reader?.destroy()
    this.reader = undefined
  }

  private async serve(line: string): Promise<void> {
    const reply = await this.handle(line).catch((error: unknown) => `ERROR: ${String(error)}\n`)
    await this.writeReply(reply)
  }

  /** Waits for a reader like a blocking open would, but gives up so a lost reply cannot wedge the daemon. */
  private async writeReply(reply: string): Promise<void> {
    const deadline = Date.now() + this.replyOpenTimeoutMillis
    let fd: number | undefined
    while (fd === undefined) {
      try {
        fd = await openAsync(this.responsePipe, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK)
      } catch (error) {
        if (errno(error) !== "ENXIO" || Date.now() > deadline || this.stopped) return
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
    }
    const socket = new net.Socket({ fd, readable: false, writable: true })
    await new Promise<void>((resolve) => {
      socket.on("error", () => resolve())
      if (reply === "") {
        socket.destroy()
        resolve()
        return
      }
      socket.write(reply, () => {
        socket.destroy()
        resolve()
      })
    })
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.pause()
    await fs.rm(this.commandPipe, { force: true })
    await fs.rm(this.responsePipe, { force: true })
  }
}

/** One request line per connection, one reply, then the server closes: the Windows pipe's shape. */
export class DuplexCommandServer {
  private constructor(
    private readonly server: net.Server,
    readonly path: string
  ) {}

  static start(path: string, handle: CommandHandler): Promise<DuplexCommandServer> {
    return new Promise((resolve, reject) => {
      void fs.rm(path, { force: true }).then(() => {
        const server = net.createServer((socket) => {
          let buffer = ""
          socket.on("data", (chunk: Buffer) => {
            buffer += chunk.toString("utf8")
            const newline = buffer.indexOf("\n")
            if (newline < 0) return
            void handle(buffer.slice(0, newline)).then((reply) => socket.end(reply))
          })
          socket.on("error", () => undefined)
        })
        server.once("error", reject)
        server.listen(path, () => resolve(new DuplexCommandServer(server, path)))
      })
    })
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}
