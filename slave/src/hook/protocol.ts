/**
 * The agent's local socket protocol: one JSON request line, one JSON reply line, then the agent
 * closes the connection. Spoken by `ncod-slave-hook` (authorize, event) and `ncod-slave status`.
 * This file imports nothing but Node built-ins: the hook loads it on every bind attempt.
 */
import * as net from "node:net"

export const PROTOCOL_VERSION = 1
/** A request or reply line longer than this is refused (a client id is at most a few hundred bytes). */
export const MAX_LINE_BYTES = 64 * 1024
/** How long the hook waits for the agent before it denies. */
export const DEFAULT_HOOK_TIMEOUT_MS = 2_000

/** What vhusbd passes to the ClientAuthorization command, as the hook received it. */
export interface AuthorizeRequest {
  readonly v: 1
  readonly op: "authorize"
  readonly vendorId: string
  readonly productId: string
  /** `Full Name (username)` of the VirtualHere client asking to bind. */
  readonly clientId: string
  readonly clientIp: string
  readonly clientHostname: string
  readonly serial: string
  /** MD5 (hex) of the password the client sent with USE, or empty. Never logged. */
  readonly password: string
  /** The device's sysfs path; its last component is the bus path (`1-1.2`). */
  readonly devpath: string
  readonly nickname: string
  readonly numBindings: string
}

/** A vhusbd event hook fired (`onEnumeration`, `onBind`, …): something changed, scan now. */
export interface EventRequest {
  readonly v: 1
  readonly op: "event"
  readonly event: string
  readonly address: string
  readonly vendorId: string
  readonly productId: string
  readonly devpath: string
}

export interface StatusRequest {
  readonly v: 1
  readonly op: "status"
}

export type AgentRequest = AuthorizeRequest | EventRequest | StatusRequest

export interface AuthorizeReply {
  readonly ok: true
  readonly allow: boolean
  readonly reason: string
}

/**
 * Sends one request to the agent and resolves with its parsed reply; rejects on any problem
 * (no agent, permission, timeout, a reply that is not JSON). The caller decides what a failure
 * means: the hook denies.
 */
export const askAgent = (socketPath: string, request: AgentRequest, timeoutMs: number): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const socket = net.createConnection(socketPath)
    let received = ""
    let settled = false
    const finish = (error: Error | undefined, value?: unknown) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      if (error) reject(error)
      else resolve(value)
    }
    const timer = setTimeout(() => finish(new Error(`no answer from the agent within ${timeoutMs} ms`)), timeoutMs)
    socket.setEncoding("utf8")
    socket.on("connect", () => socket.write(`${JSON.stringify(request)}\n`))
    socket.on("data", (chunk: string) => {
      received += chunk
      if (received.length > MAX_LINE_BYTES) return finish(new Error("reply too long"))
      const newline = received.indexOf("\n")
      if (newline < 0) return
      try {
        finish(undefined, JSON.parse(received.slice(0, newline)))
      } catch {
        finish(new Error("reply is not JSON"))
      }
    })
    socket.on("error", (error: NodeJS.ErrnoException) =>
      finish(new Error(error.code === "ENOENT" || error.code === "ECONNREFUSED" ? "the agent is not running" : `cannot reach the agent: ${error.code ?? error.message}`))
    )
    socket.on("close", () => finish(new Error("the agent closed the connection without an answer")))
  })
