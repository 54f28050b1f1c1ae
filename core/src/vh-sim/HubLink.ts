import * as net from "node:net"
import { encodeLine, lineDecoder, type SimClientMessage, type SimDeviceSnapshot, type SimServerFacts, type SimServerMessage } from "./protocol.js"

type Request = SimClientMessage extends infer M ? (M extends { req: number } ? Omit<M, "req"> : never) : never

/**
 * The simulated client's link to one hub (a `MANUAL HUB ADD` entry): connects, says hello, keeps
 * the server's latest device snapshot, and reconnects after the server goes away, as the real
 * client keeps retrying its manual hubs.
 */
export class HubLink {
  state: "connecting" | "connected" | "closed" = "connecting"
  facts: SimServerFacts | undefined
  devices: ReadonlyArray<SimDeviceSnapshot> = []
  connectedAt = 0
  remoteIp = ""
  private socket: net.Socket | undefined
  private nextReq = 1
  private readonly pending = new Map<number, (result: { ok: boolean; reason?: string }) => void>()
  private retry: NodeJS.Timeout | undefined

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly identity: { readonly clientId: string; readonly hostname: string },
    private readonly onChange: (link: HubLink) => void,
    private readonly reconnectMillis: number
  ) {
    this.connect()
  }

  get key(): string {
    return `${this.host}:${this.port}`
  }

  private connect() {
    if (this.state === "closed") return
    const socket = net.connect(this.port, this.host)
    this.socket = socket
    socket.setNoDelay(true)
    socket.on("connect", () => {
      this.remoteIp = (socket.remoteAddress ?? this.host).replace(/^::ffff:/, "")
      socket.write(encodeLine({ t: "hello", clientId: this.identity.clientId, hostname: this.identity.hostname }))
    })
    socket.on("data", lineDecoder<SimServerMessage>((message) => this.receive(message)))
    const lost = () => {
      if (this.socket !== socket) return
      this.socket = undefined
      const wasConnected = this.state === "connected"
      if (this.state !== "closed") this.state = "connecting"
      this.devices = []
      for (const resolve of this.pending.values()) resolve({ ok: false, reason: "disconnected" })
      this.pending.clear()
      if (wasConnected) this.onChange(this)
      if (this.state !== "closed") this.retry = setTimeout(() => this.connect(), this.reconnectMillis)
    }
    socket.on("close", lost)
    socket.on("error", lost)
  }

  private receive(message: SimServerMessage) {
    switch (message.t) {
      case "welcome":
        this.state = "connected"
        this.connectedAt = Date.now()
        this.facts = message.server
        this.devices = message.devices
        this.onChange(this)
        return
      case "devices":
        this.facts = message.server
        this.devices = message.devices
        this.onChange(this)
        return
      case "result": {
        const resolve = this.pending.get(message.req)
        this.pending.delete(message.req)
        resolve?.(message.reason === undefined ? { ok: message.ok } : { ok: message.ok, reason: message.reason })
        return
      }
    }
  }

  request(message: Request, timeoutMillis = 15_000): Promise<{ ok: boolean; reason?: string }> {
    const socket = this.socket
    if (!socket || this.state !== "connected") return Promise.resolve({ ok: false, reason: "not connected" })
    const req = this.nextReq++
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(req)
        resolve({ ok: false, reason: "timeout" })
      }, timeoutMillis)
      this.pending.set(req, (result) => {
        clearTimeout(timer)
        resolve(result)
      })
      socket.write(encodeLine({ ...message, req } as SimClientMessage))
    })
  }

  close() {
    this.state = "closed"
    if (this.retry) clearTimeout(this.retry)
    this.socket?.destroy()
  }
}
