import { Data, Effect, Either, Runtime, Schema } from "effect"
import * as fs from "node:fs/promises"
import * as net from "node:net"
import * as path from "node:path"
import { askAgent, type AuthorizeReply, MAX_LINE_BYTES } from "./protocol.js"

const field = Schema.String.pipe(Schema.maxLength(4096))

/** What the socket accepts; anything else is answered `{ ok: false }` (the hook then denies). */
export const AgentRequestSchema = Schema.Union(
  Schema.Struct({
    v: Schema.Literal(1),
    op: Schema.Literal("authorize"),
    vendorId: field,
    productId: field,
    clientId: field,
    clientIp: field,
    clientHostname: field,
    serial: field,
    password: field,
    devpath: field,
    nickname: field,
    numBindings: field
  }),
  Schema.Struct({ v: Schema.Literal(1), op: Schema.Literal("event"), event: field, address: field, vendorId: field, productId: field, devpath: field }),
  Schema.Struct({ v: Schema.Literal(1), op: Schema.Literal("status") })
)
export type AgentSocketRequest = typeof AgentRequestSchema.Type
type Of<Op extends AgentSocketRequest["op"]> = Extract<AgentSocketRequest, { op: Op }>

export interface AgentSocketHandlers {
  readonly authorize: (request: Of<"authorize">) => Effect.Effect<AuthorizeReply>
  readonly event: (request: Of<"event">) => Effect.Effect<void>
  readonly status: Effect.Effect<unknown>
}

export class AgentSocketError extends Data.TaggedError("AgentSocketError")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

const decode = Schema.decodeUnknownEither(Schema.parseJson(AgentRequestSchema))

/**
 * A socket file left by an agent that died is removed; one that answers belongs to a running
 * agent, and a second agent must not start (two agents would answer the hook differently).
 */
const claimPath = (socketPath: string) =>
  Effect.tryPromise({
    try: async () => {
      await fs.mkdir(path.dirname(socketPath), { recursive: true, mode: 0o755 })
      const existing = await fs.lstat(socketPath).catch(() => undefined)
      if (existing === undefined) return
      if (!existing.isSocket()) throw new Error(`${socketPath} exists and is not a socket`)
      const alive = await askAgent(socketPath, { v: 1, op: "status" }, 1_000).then(
        () => true,
        () => false
      )
      if (alive) throw new Error(`another ncod-slave agent is running (it answers on ${socketPath})`)
      await fs.rm(socketPath, { force: true })
    },
    catch: (error) => new AgentSocketError({ reason: (error as Error).message })
  })

/**
 * The agent's local socket (mode 0660, owned by the agent's user: root under systemd). One JSON
 * line in, one JSON line out, then close; a slow or oversized request is cut off. Lives as long
 * as the scope.
 */
export const serveAgentSocket = (socketPath: string, handlers: AgentSocketHandlers) =>
  Effect.gen(function* () {
    yield* claimPath(socketPath)
    const runtime = yield* Effect.runtime<never>()
    const run = Runtime.runPromise(runtime)

    const answer = (line: string): Promise<unknown> => {
      const request = decode(line)
      if (Either.isLeft(request)) return Promise.resolve({ ok: false, error: "bad request" })
      const value = request.right
      const effect: Effect.Effect<unknown> =
        value.op === "authorize"
          ? handlers.authorize(value)
          : value.op === "event"
            ? Effect.as(handlers.event(value), { ok: true })
            : Effect.map(handlers.status, (status) => ({ ok: true, status }))
      return run(effect).catch(() => ({ ok: false, error: "internal error" }))
    }

    const server = net.createServer((socket) => {
      let buffer = ""
      let answered = false
      socket.setEncoding("utf8")
      socket.setTimeout(2_000, () => socket.destroy())
      socket.on("error", () => socket.destroy())
      socket.on("data", (chunk: string) => {
        if (answered) return
        buffer += chunk
        const newline = buffer.indexOf("\n")
        if (newline < 0 && buffer.length <= MAX_LINE_BYTES) return
        answered = true
        const reply = newline < 0 ? Promise.resolve({ ok: false, error: "request too long" }) : answer(buffer.slice(0, newline))
        void reply.then((value) => {
          if (!socket.destroyed) socket.end(`${JSON.stringify(value)}\n`)
        })
      })
    })
    server.maxConnections = 64

    yield* Effect.acquireRelease(
      Effect.async<void, AgentSocketError>((resume) => {
        const previous = process.umask(0o117)
        server.once("error", (error: NodeJS.ErrnoException) => resume(Effect.fail(new AgentSocketError({ reason: `cannot listen on ${socketPath}: ${error.code ?? error.message}` }))))
        server.listen(socketPath, () => {
          server.removeAllListeners("error")
          server.on("error", () => undefined)
          resume(Effect.void)
        })
        process.umask(previous)
      }).pipe(Effect.zipRight(Effect.tryPromise({ try: () => fs.chmod(socketPath, 0o660), catch: (error) => new AgentSocketError({ reason: String(error) }) }))),
      () =>
        Effect.promise(async () => {
          await new Promise<void>((resolve) => server.close(() => resolve()))
          await fs.rm(socketPath, { force: true })
        })
    )
  })
