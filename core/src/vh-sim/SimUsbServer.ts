import { createHash, randomUUID } from "node:crypto"
import * as net from "node:net"
import { VhAuthorizationExit } from "../vh/index.js"
import { matchingHooks, runHook } from "./hooks.js"
import { encodeLine, lineDecoder, type SimClientMessage, type SimDeviceSnapshot, type SimServerFacts, type SimServerMessage } from "./protocol.js"
import { addressFromBusPath, removeSysfsDevice, type SimUsbDeviceSpec, writeSysfsDevice } from "./usbDevice.js"

export interface SimUsbServerOptions {
  /** ServerName: the hub name clients show. */
  readonly name: string
  /** The advertised hostname (address prefix); defaults to the name without spaces. */
  readonly hostname?: string
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  readonly port?: number
  readonly listenHost?: string
  /** An unlicensed server shares one device at a time and ignores ClientAuthorization. */
  readonly licensed?: boolean
  readonly maxDevices?: number
  /** The ClientAuthorization command line, with vhusbd's placeholders. */
  readonly clientAuthorization?: string
  /** `onBind`, `onBind.0403`, `onEnumeration.0403.6001`, … → command line. */
  readonly eventHooks?: Readonly<Record<string, string>>
  /** Writes each device under `<dir>/<busPath>/` as Linux does under /sys/bus/usb/devices. */
  readonly sysfsDir?: string
  readonly devices?: ReadonlyArray<SimUsbDeviceSpec>
  readonly version?: string
  readonly serial?: string
  /** How long a vanished client keeps its bindings (the real server reaps after ~17 s). */
  readonly reapAfterMillis?: number
  readonly hookTimeoutMillis?: number
}

interface Device {
  readonly spec: SimUsbDeviceSpec
  readonly address: number
  nickname: string
  boundTo: Connection | null
}

interface Connection {
  readonly socket: net.Socket
  readonly id: number
  readonly ip: string
  clientId: string
  hostname: string
  alive: boolean
}

export type SimServerEvent =
  | { readonly type: "bind"; readonly address: number; readonly clientId: string; readonly allowed: boolean; readonly exitCode: number | null }
  | { readonly type: "unbind"; readonly address: number; readonly clientId: string }
  | { readonly type: "plug" | "unplug"; readonly address: number }

/**
 * A simulated `vhusbd`: devices, bindings, the ClientAuthorization contract and event hooks, served
 * to simulated client daemons over the private TCP protocol.
 */
export class SimUsbServer {
  private server: net.Server | undefined
  private readonly devices = new Map<number, Device>()
  private readonly connections = new Set<Connection>()
  private nextConnectionId = 1
  private boundPort = 0
  private readonly listeners = new Set<(event: SimServerEvent) => void>()
  readonly options: SimUsbServerOptions
  readonly serial: string

  private constructor(options: SimUsbServerOptions) {
    this.options = options
    this.serial = options.serial ?? randomUUID()
  }

  static async start(options: SimUsbServerOptions): Promise<SimUsbServer> {
    const server = new SimUsbServer(options)
    for (const spec of options.devices ?? []) await server.plug(spec)
    await server.listen(options.port ?? 0)
    return server
  }

  get name(): string {
    return this.options.name
  }
  get hostname(): string {
    return this.options.hostname ?? this.options.name.replace(/\s+/g, "")
  }
  get port(): number {
    return this.boundPort
  }
  get running(): boolean {
    return this.server !== undefined
  }
  private get licensed(): boolean {
    return this.options.licensed ?? true
  }
  private get maxDevices(): number {
    return this.licensed ? (this.options.maxDevices ?? 65535) : 1
  }

  /** Called on every bind attempt, unbind, plug and unplug (for tests and the demo fleet). */
  onEvent(listener: (event: SimServerEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private emit(event: SimServerEvent) {
    for (const listener of this.listeners) listener(event)
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = net.createServer((socket) => this.accept(socket))
      server.once("error", reject)
      server.listen(port, this.options.listenHost ?? "127.0.0.1", () => {
        this.server = server
        this.boundPort = (server.address() as net.AddressInfo).port
        resolve()
      })
    })
  }

  private facts(connection: Connection): SimServerFacts {
    return {
      name: this.name,
      hostname: this.hostname,
      port: this.boundPort,
      version: this.options.version ?? "4.8.2",
      serial: this.serial,
      maxDevices: this.maxDevices,
      connectionId: connection.id
    }
  }

  private snapshot(connection: Connection): ReadonlyArray<SimDeviceSnapshot> {
    return [...this.devices.values()].map((device) => ({
      address: device.address,
      vendorId: device.spec.vendorId.toLowerCase(),
      productId: device.spec.productId.toLowerCase(),
      product: device.spec.product ?? "",
      manufacturer: device.spec.manufacturer ?? "",
      serial: device.spec.serial ?? "",
      busPath: device.spec.busPath,
      nickname: device.nickname,
      numConfigurations: 1,
      firstInterfaceClass: parseInt(device.spec.deviceClass ?? "ff", 16),
      boundTo: device.boundTo
        ? { clientId: device.boundTo.clientId, hostname: device.boundTo.hostname, ip: device.boundTo.ip, byYou: device.boundTo === connection }
        : null
    }))
  }

  private send(connection: Connection, message: SimServerMessage) {
    if (connection.alive) connection.socket.write(encodeLine(message))
  }

  private broadcast() {
    for (const connection of this.connections) {
      if (connection.clientId !== "") this.send(connection, { t: "devices", server: this.facts(connection), devices: this.snapshot(connection) })
    }
  }

  private accept(socket: net.Socket) {
    const connection: Connection = {
      socket,
      id: this.nextConnectionId++,
      ip: (socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, ""),
      clientId: "",
      hostname: "",
      alive: true
    }
    this.connections.add(connection)
    socket.setNoDelay(true)
    socket.on("data", lineDecoder<SimClientMessage>((message) => void this.handle(connection, message)))
    const gone = () => {
      if (!connection.alive) return
      connection.alive = false
      this.connections.delete(connection)
      const release = () => {
        for (const device of this.devices.values()) if (device.boundTo === connection) void this.unbind(device)
      }
      const delay = this.options.reapAfterMillis ?? 0
      if (delay > 0) setTimeout(release, delay).unref()
      else release()
    }
    socket.on("close", gone)
    socket.on("error", gone)
  }

  private async handle(connection: Connection, message: SimClientMessage) {
    switch (message.t) {
      case "hello":
        connection.clientId = message.clientId
        connection.hostname = message.hostname
        this.send(connection, { t: "welcome", server: this.facts(connection), devices: this.snapshot(connection) })
        return
      case "bind": {
        const reason = await this.bind(connection, message.address, message.password)
        this.send(connection, reason === null ? { t: "result", req: message.req, ok: true } : { t: "result", req: message.req, ok: false, reason })
        return
      }
      case "unbind": {
        const device = this.devices.get(message.address)
        const ok = device !== undefined && device.boundTo === connection
        if (ok) await this.unbind(device)
        this.send(connection, { t: "result", req: message.req, ok })
        return
      }
      case "unbindAll": {
        for (const device of this.devices.values()) if (device.boundTo) await this.unbind(device)
        this.send(connection, { t: "result", req: message.req, ok: true })
        return
      }
      case "rename": {
        const device = this.devices.get(message.address)
        if (device) {
          device.nickname = message.nickname
          await this.runEvent("onChangeNickname", device, { NICKNAME: message.nickname })
          this.broadcast()
        }
        this.send(connection, { t: "result", req: message.req, ok: device !== undefined })
        return
      }
    }
  }

  private devpath(device: Device): string {
    return `${this.options.sysfsDir ?? "/sys/bus/usb/devices"}/${device.spec.busPath}`
  }

  private placeholders(device: Device): Record<string, string> {
    return {
      ADDRESS: String(device.address),
      VENDOR_ID: device.spec.vendorId.toLowerCase(),
      PRODUCT_ID: device.spec.productId.toLowerCase(),
      DEVPATH: this.devpath(device),
      NICKNAME: device.nickname,
      PRODUCT_SERIAL: device.spec.serial ?? ""
    }
  }

  private async runEvent(event: string, device: Device, extra: Record<string, string> = {}) {
    const commands = matchingHooks(this.options.eventHooks ?? {}, event, device.spec.vendorId.toLowerCase(), device.spec.productId.toLowerCase())
    for (const command of commands) await runHook(command, { ...this.placeholders(device), ...extra }, this.options.hookTimeoutMillis ?? 10_000)
  }

  /** Returns null when bound, else why not. */
  private async bind(connection: Connection, address: number, password: string | null): Promise<string | null> {
    const device = this.devices.get(address)
    if (!device) return "unknown-device"
    if (device.boundTo === connection) return null
    if (device.boundTo) return "in-use"
    const bound = [...this.devices.values()].filter((d) => d.boundTo !== null)
    if (bound.length >= this.maxDevices) return "license"
    let exitCode: number | null = VhAuthorizationExit.allow
    if (this.licensed && this.options.clientAuthorization) {
      const numBindings = bound.filter((d) => d.boundTo === connection).length
      const run = await runHook(
        this.options.clientAuthorization,
        {
          ...this.placeholders(device),
          CLIENT_ID: connection.clientId,
          CLIENT_IP: connection.ip,
          CLIENT_HOSTNAME: connection.hostname,
          PASSWORD: password === null || password === "" ? "" : createHash("md5").update(password).digest("hex"),
          NUM_BINDINGS: String(numBindings)
        },
        this.options.hookTimeoutMillis ?? 10_000
      )
      exitCode = run.timedOut ? null : run.exitCode
    }
    // The device may have been taken or unplugged while the script ran.
    const allowed = exitCode === VhAuthorizationExit.allow && this.devices.get(address) === device && device.boundTo === null && connection.alive
    this.emit({ type: "bind", address, clientId: connection.clientId, allowed, exitCode })
    if (!allowed) {
      return exitCode === VhAuthorizationExit.askPassword ? "password" : exitCode === VhAuthorizationExit.askUsername ? "username" : "denied"
    }
    device.boundTo = connection
    await this.runEvent("onReset", device)
    await this.runEvent("onBind", device, { CLIENT_ID: connection.clientId, CLIENT_IP: connection.ip, CLIENT_HOSTNAME: connection.hostname })
    this.broadcast()
    return null
  }

  private async unbind(device: Device) {
    const holder = device.boundTo
    if (!holder) return
    device.boundTo = null
    this.emit({ type: "unbind", address: device.address, clientId: holder.clientId })
    await this.runEvent("onUnbind", device, { CLIENT_ID: holder.clientId, CLIENT_IP: holder.ip, CLIENT_HOSTNAME: holder.hostname })
    this.broadcast()
  }

  /** Plugs a device in; returns its VirtualHere address integer. */
  async plug(spec: SimUsbDeviceSpec): Promise<number> {
    let address = spec.address ?? addressFromBusPath(spec.busPath)
    while (this.devices.has(address)) address++
    const device: Device = { spec, address, nickname: "", boundTo: null }
    this.devices.set(address, device)
    if (this.options.sysfsDir) await writeSysfsDevice(this.options.sysfsDir, spec, address)
    this.emit({ type: "plug", address })
    await this.runEvent("onEnumeration", device)
    this.broadcast()
    return address
  }

  /** Unplugs by address or bus path, bound or not: a bound device simply vanishes from its client. */
  async unplug(which: number | string): Promise<void> {
    const device = [...this.devices.values()].find((d) => d.address === which || d.spec.busPath === which)
    if (!device) return
    this.devices.delete(device.address)
    if (device.boundTo) {
      const holder = device.boundTo
      device.boundTo = null
      this.emit({ type: "unbind", address: device.address, clientId: holder.clientId })
      await this.runEvent("onUnbind", device, { CLIENT_ID: holder.clientId, CLIENT_IP: holder.ip, CLIENT_HOSTNAME: holder.hostname })
    }
    if (this.options.sysfsDir) await removeSysfsDevice(this.options.sysfsDir, device.spec.busPath)
    this.emit({ type: "unplug", address: device.address })
    this.broadcast()
  }

  /** Frees a device from the server side (as an admin "kick" does). */
  async kick(address: number): Promise<void> {
    const device = this.devices.get(address)
    if (device?.boundTo) await this.unbind(device)
  }

  /** Devices with their holder, for assertions. */
  listDevices() {
    return [...this.devices.values()].map((d) => ({
      address: d.address,
      busPath: d.spec.busPath,
      vendorId: d.spec.vendorId,
      productId: d.spec.productId,
      serial: d.spec.serial ?? "",
      nickname: d.nickname,
      boundTo: d.boundTo ? { clientId: d.boundTo.clientId, hostname: d.boundTo.hostname } : null
    }))
  }

  /** The server disappears: it stops listening and drops every client (bindings are released). */
  async goAway(): Promise<void> {
    const server = this.server
    if (!server) return
    this.server = undefined
    for (const connection of this.connections) connection.socket.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  /** The server returns on the same port, with the same devices. */
  async comeBack(): Promise<void> {
    if (!this.server) await this.listen(this.boundPort)
  }

  async stop(): Promise<void> {
    await this.goAway()
    if (this.options.sysfsDir) for (const device of this.devices.values()) await removeSysfsDevice(this.options.sysfsDir, device.spec.busPath)
  }
}
