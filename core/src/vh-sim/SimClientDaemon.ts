import { randomBytes } from "node:crypto"
import {
  parseVhCommandLine as parseCommandLine,
  printActionReply,
  printClientState,
  printDeviceInfoReply,
  printListReply,
  printManualHubList,
  printServerInfoReply,
  sameVhHost as sameHost,
  splitVhAddress
} from "../vh/index.js"
import { clientStateModel, connectedLinks, deviceInfoModel, fullAddress, listModel, serverInfoModel, type DaemonView } from "./daemonReplies.js"
import { HubLink } from "./HubLink.js"
import { DuplexCommandServer, FifoCommandServer } from "./pipeServers.js"
import type { SimDeviceSnapshot } from "./protocol.js"

export interface SimClientDaemonOptions {
  /** The OS user's full name; may be empty (the client id then reads `(username)`). */
  readonly fullName: string
  readonly username: string
  readonly hostname: string
  readonly commandPipe: string
  readonly responsePipe: string
  /** Also serve the Windows pipe's request/response shape on this Unix socket path. */
  readonly duplexPipePath?: string
  /** `host[:port]` entries, as `MANUAL HUB ADD` takes them (port defaults to 7575). */
  readonly hubs?: ReadonlyArray<string>
  readonly runningAsService?: boolean
  readonly reconnectMillis?: number
  readonly replyOpenTimeoutMillis?: number
}

export interface SimClientFaults {
  /** Wait this long before answering each command. */
  replyDelayMillis: number
  /** `truncate`: half the reply; `noise`: random bytes of the same length. */
  garble: "none" | "truncate" | "noise"
}

const ok = printActionReply({ _tag: "Ok" })
const failed = printActionReply({ _tag: "Failed", reason: null })

const helpText = `VirtualHere Client (simulated) IPC commands (<> = required, [] = optional):

List devices:
    "LIST"
Get the detailed full client state as an XML Document:
    "GET CLIENT STATE"
Use a device:
    "USE,<address>[,password]"
Stop using a device:
    "STOP USING,<address>"
`

/**
 * A simulated VirtualHere client daemon (`vhclientx86_64 -n`): keeps manual hubs, auto-use flags
 * and its links to simulated servers, and answers the client API on real FIFOs with the real
 * layouts (printed by the core printers).
 */
export class SimClientDaemon {
  readonly clientId: string
  private readonly links = new Map<string, HubLink>()
  private autoFind = true
  private reverseLookup = false
  private readonly autoUse = {
    all: false,
    hubs: new Set<string>(),
    ports: new Set<string>(),
    devices: new Set<string>(),
    devicePorts: new Set<string>()
  }
  private readonly claiming = new Set<string>()
  private fifo: FifoCommandServer | undefined
  private duplex: DuplexCommandServer | undefined
  readonly faults: SimClientFaults = { replyDelayMillis: 0, garble: "none" }
  /** Every command line received, in order (tests assert what reached the pipe). */
  readonly commandLog: Array<string> = []

  private constructor(readonly options: SimClientDaemonOptions) {
    this.clientId = `${options.fullName} (${options.username})`.trimStart()
  }

  static async start(options: SimClientDaemonOptions): Promise<SimClientDaemon> {
    const daemon = new SimClientDaemon(options)
    for (const hub of options.hubs ?? []) daemon.addHub(hub)
    daemon.fifo = await FifoCommandServer.start(
      options.commandPipe,
      options.responsePipe,
      (line) => daemon.answer(line),
      options.replyOpenTimeoutMillis
    )
    if (options.duplexPipePath) daemon.duplex = await DuplexCommandServer.start(options.duplexPipePath, (line) => daemon.answer(line))
    return daemon
  }

  /** Simulates "client daemon not running": the FIFOs stay, nobody reads them; the duplex pipe closes. */
  async stopListening(): Promise<void> {
    this.fifo?.pause()
    await this.duplex?.stop()
    this.duplex = undefined
  }
  /** Resolves when no command is pending on the FIFOs (a late reply has been delivered or dropped). */
  async whenIdle(): Promise<void> {
    await this.fifo?.whenIdle()
  }

  async resumeListening(): Promise<void> {
    await this.fifo?.resume()
    if (this.options.duplexPipePath && !this.duplex) {
      this.duplex = await DuplexCommandServer.start(this.options.duplexPipePath, (line) => this.answer(line))
    }
  }

  async stop(): Promise<void> {
    for (const link of this.links.values()) link.close()
    this.links.clear()
    await this.fifo?.stop()
    await this.duplex?.stop()
  }

  /** Each manual hub and whether the link to it is up (for tests and the demo fleet). */
  hubStates(): ReadonlyArray<{ readonly hub: string; readonly state: "connecting" | "connected" | "closed"; readonly serverName: string | null }> {
    return [...this.links.values()].map((link) => ({ hub: link.key, state: link.state, serverName: link.facts?.name ?? null }))
  }

  private addHub(hub: string): boolean {
    const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hub.trim())
    if (!match) return false
    const host = match[1]!.replace(/^\[|\]$/g, "")
    const port = Number(match[2] ?? 7575)
    const key = `${host}:${port}`
    if (!this.links.has(key)) {
      const link = new HubLink(host, port, { clientId: this.clientId, hostname: this.options.hostname }, (l) => this.autoClaim(l), this.options.reconnectMillis ?? 300)
      this.links.set(key, link)
    }
    return true
  }

  private removeHub(hub: string): boolean {
    const [host = "", port = "7575"] = hub.trim().split(":")
    const key = [...this.links.keys()].find((k) => sameHost(k, `${host}:${port}`))
    if (!key) return false
    this.links.get(key)!.close()
    this.links.delete(key)
    return true
  }

  private isAutoUse = (link: HubLink, device: SimDeviceSnapshot): "specific" | "general" | false => {
    const address = fullAddress(link, device).toLowerCase()
    const id = `${device.vendorId}:${device.productId}`
    if (
      this.autoUse.ports.has(address) ||
      this.autoUse.devices.has(`${id}:${device.serial}`) ||
      this.autoUse.devicePorts.has(`${id}:${address}`)
    ) {
      return "specific"
    }
    if (this.autoUse.all || this.autoUse.hubs.has(link.facts!.name.toLowerCase())) return "general"
    return false
  }

  /** Claims free auto-use devices whenever a hub's devices change (e.g. when a server returns). */
  private autoClaim(link: HubLink) {
    if (link.state !== "connected" || !link.facts) return
    for (const device of link.devices) {
      if (device.boundTo !== null || !this.isAutoUse(link, device)) continue
      const key = `${link.key}/${device.address}`
      if (this.claiming.has(key)) continue
      this.claiming.add(key)
      void link.request({ t: "bind", address: device.address, password: null }).finally(() => this.claiming.delete(key))
    }
  }

  private view(): DaemonView {
    return {
      links: [...this.links.values()],
      autoFind: this.autoFind,
      autoUseAll: this.autoUse.all,
      reverseLookup: this.reverseLookup,
      reverseSslLookup: false,
      runningAsService: this.options.runningAsService ?? true,
      isAutoUse: this.isAutoUse
    }
  }

  private find(address: string): { link: HubLink; device: SimDeviceSnapshot } | undefined {
    const parts = splitVhAddress(address)
    if (parts._tag === "None") return undefined
    for (const link of connectedLinks(this.view())) {
      if (!sameHost(link.facts!.hostname, parts.value.host)) continue
      const device = link.devices.find((d) => d.address === Number(parts.value.index))
      if (device) return { link, device }
    }
    return undefined
  }

  /** The reply text for one command line, faults applied. */
  async answer(line: string): Promise<string> {
    this.commandLog.push(line)
    const reply = await this.execute(line)
    if (this.faults.replyDelayMillis > 0) await new Promise((resolve) => setTimeout(resolve, this.faults.replyDelayMillis))
    switch (this.faults.garble) {
      case "none":
        return reply
      case "truncate":
        return reply.slice(0, Math.floor(reply.length / 2))
      case "noise":
        return randomBytes(Math.max(8, reply.length)).toString("latin1")
    }
  }

  /** The reply text for one command line, exactly as the real client lays it out. */
  async execute(line: string): Promise<string> {
    const command = parseCommandLine(line)
    switch (command.verb) {
      case "LIST":
        return printListReply(listModel(this.view()))
      case "GET CLIENT STATE":
        return printClientState(clientStateModel(this.view()))
      case "DEVICE INFO": {
        const found = this.find(command.address)
        return found ? printDeviceInfoReply(deviceInfoModel(found.link, found.device)) : failed
      }
      case "SERVER INFO": {
        const link = connectedLinks(this.view()).find((l) => l.facts!.name.toLowerCase() === command.serverName.toLowerCase())
        return link ? printServerInfoReply(serverInfoModel(link)) : failed
      }
      case "USE": {
        const found = this.find(command.address)
        if (!found) return failed
        if (found.device.boundTo?.byYou) return ok
        const result = await found.link.request({ t: "bind", address: found.device.address, password: command.password })
        return result.ok ? ok : failed
      }
      case "STOP USING": {
        const found = this.find(command.address)
        if (!found || !found.device.boundTo?.byYou) return failed
        // STOP USING also clears that device's auto-use flags, as the real client does.
        const address = fullAddress(found.link, found.device).toLowerCase()
        const id = `${found.device.vendorId}:${found.device.productId}`
        this.autoUse.ports.delete(address)
        this.autoUse.devices.delete(`${id}:${found.device.serial}`)
        this.autoUse.devicePorts.delete(`${id}:${address}`)
        const result = await found.link.request({ t: "unbind", address: found.device.address })
        return result.ok ? ok : failed
      }
      case "STOP USING ALL":
        for (const link of connectedLinks(this.view())) await link.request({ t: "unbindAll" })
        return ok
      case "STOP USING ALL LOCAL":
        for (const link of connectedLinks(this.view())) {
          for (const device of link.devices) if (device.boundTo?.byYou) await link.request({ t: "unbind", address: device.address })
        }
        return ok
      case "DEVICE RENAME": {
        const found = this.find(command.address)
        if (!found) return failed
        const result = await found.link.request({ t: "rename", address: found.device.address, nickname: command.nickname })
        return result.ok ? ok : failed
      }
      case "AUTO USE ALL":
        this.autoUse.all = true
        this.claimAll()
        return ok
      case "AUTO USE CLEAR ALL":
        this.autoUse.all = false
        this.autoUse.hubs.clear()
        this.autoUse.ports.clear()
        this.autoUse.devices.clear()
        this.autoUse.devicePorts.clear()
        return ok
      case "AUTO USE HUB":
        this.autoUse.hubs.add(command.serverName.toLowerCase())
        this.claimAll()
        return ok
      case "AUTO USE PORT":
      case "AUTO USE DEVICE":
      case "AUTO USE DEVICE PORT": {
        const found = this.find(command.address)
        if (!found) return failed
        const address = fullAddress(found.link, found.device).toLowerCase()
        const id = `${found.device.vendorId}:${found.device.productId}`
        if (command.verb === "AUTO USE PORT") this.autoUse.ports.add(address)
        else if (command.verb === "AUTO USE DEVICE") this.autoUse.devices.add(`${id}:${found.device.serial}`)
        else this.autoUse.devicePorts.add(`${id}:${address}`)
        this.claimAll()
        return ok
      }
      case "MANUAL HUB ADD":
        return this.addHub(command.hub) ? ok : failed
      case "MANUAL HUB REMOVE":
        return this.removeHub(command.hub) ? ok : failed
      case "MANUAL HUB REMOVE ALL":
        for (const link of this.links.values()) link.close()
        this.links.clear()
        return ok
      case "MANUAL HUB LIST":
        return printManualHubList([...this.links.values()].map((link) => link.key))
      case "AUTOFIND":
        this.autoFind = !this.autoFind
        return ok
      case "REVERSE":
        this.reverseLookup = !this.reverseLookup
        return ok
      case "HELP":
        return helpText
      case "SERVER RENAME":
      case "EXIT":
        return ok
      case "UNKNOWN":
        return printActionReply({ _tag: "Error", message: "Unknown command" })
    }
  }

  private claimAll() {
    for (const link of this.links.values()) this.autoClaim(link)
  }
}
