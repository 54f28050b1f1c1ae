/**
 * A simulated vhusbd as its own process, for end-to-end tests and benches.
 *
 *   vhusbd-sim [-c config.ini] [--name N] [--hostname H] [--port P] [--unlicensed]
 *              [--client-authorization "<command line>"] [--event onBind=<cmd>]…
 *              [--sysfs-dir DIR] [--device '{"vendorId":"0403","productId":"6001","busPath":"1-1.2",…}']…
 *
 * `-c` reads ServerName, TCPPort, ClientAuthorization and event hooks from a vhusbd config.ini, as
 * the real `-c` does; flags override it. Prints one JSON line `{"event":"ready","port":…}` when
 * listening. Faults and hot-plug are driven by JSON lines on stdin:
 *   {"op":"plug","device":{…}}  {"op":"unplug","address":112} / {"op":"unplug","busPath":"1-1.2"}
 *   {"op":"goAway"}  {"op":"comeBack"}  {"op":"kick","address":112}  {"op":"list"}
 */
import { readFileSync } from "node:fs"
import { createInterface } from "node:readline"
import { parseArgs } from "node:util"
import { getServerConfigValue, parseServerConfigIni, readVhEventHooks } from "../../vh/index.js"
import { SimUsbServer } from "../SimUsbServer.js"
import type { SimUsbDeviceSpec } from "../usbDevice.js"

const { values } = parseArgs({
  options: {
    c: { type: "string", short: "c" },
    name: { type: "string" },
    hostname: { type: "string" },
    port: { type: "string" },
    unlicensed: { type: "boolean" },
    "client-authorization": { type: "string" },
    event: { type: "string", multiple: true },
    "sysfs-dir": { type: "string" },
    device: { type: "string", multiple: true },
    "reap-after-ms": { type: "string" }
  },
  strict: true
})

const ini = values.c ? parseServerConfigIni(readFileSync(values.c, "utf8")) : undefined
const fromIni = (key: string) => (ini ? getServerConfigValue(ini, key) : undefined)
const eventHooks: Record<string, string> = {}
for (const hook of ini ? readVhEventHooks(ini) : []) {
  eventHooks[[hook.event, hook.vendorId, hook.productId].filter((part) => part !== null).join(".")] = hook.command
}
for (const entry of values.event ?? []) {
  const eq = entry.indexOf("=")
  if (eq > 0) eventHooks[entry.slice(0, eq)] = entry.slice(eq + 1)
}
const hostname = process.env["HOSTNAME"] ?? "vhusbd-sim"
const name = (values.name ?? fromIni("ServerName") ?? hostname).replace("$HOSTNAME$", hostname)
const clientAuthorization = values["client-authorization"] ?? fromIni("ClientAuthorization")

const server = await SimUsbServer.start({
  name,
  ...(values.hostname ? { hostname: values.hostname } : {}),
  port: Number(values.port ?? fromIni("TCPPort") ?? 7575),
  licensed: !values.unlicensed,
  ...(clientAuthorization ? { clientAuthorization } : {}),
  eventHooks,
  ...(values["sysfs-dir"] ? { sysfsDir: values["sysfs-dir"] } : {}),
  devices: (values.device ?? []).map((json) => JSON.parse(json) as SimUsbDeviceSpec),
  ...(values["reap-after-ms"] ? { reapAfterMillis: Number(values["reap-after-ms"]) } : {})
})
const say = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`)
say({ event: "ready", name: server.name, hostname: server.hostname, port: server.port })
server.onEvent((event) => say({ event: event.type, ...event }))

createInterface({ input: process.stdin }).on("line", (line) => {
  void (async () => {
    try {
      const op = JSON.parse(line) as { op: string; device?: SimUsbDeviceSpec; address?: number; busPath?: string }
      if (op.op === "plug" && op.device) say({ event: "plugged", address: await server.plug(op.device) })
      else if (op.op === "unplug") await server.unplug(op.address ?? op.busPath ?? "")
      else if (op.op === "goAway") await server.goAway()
      else if (op.op === "comeBack") await server.comeBack()
      else if (op.op === "kick" && op.address !== undefined) await server.kick(op.address)
      else if (op.op === "list") say({ event: "devices", devices: server.listDevices() })
    } catch (error) {
      say({ event: "error", message: String(error) })
    }
  })()
})
const stop = () => void server.stop().then(() => process.exit(0))
process.on("SIGTERM", stop)
process.on("SIGINT", stop)
