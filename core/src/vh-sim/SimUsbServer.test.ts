import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { addressFromBusPath } from "./usbDevice.js"
import { SimUsbServer, type SimServerEvent } from "./SimUsbServer.js"
import { SimClientDaemon } from "./SimClientDaemon.js"
import { dongle, ftdi } from "./testing/simSite.js"

let dir: string
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "vhsim-server-"))
})
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

const until = async (check: () => boolean | Promise<boolean>, timeoutMillis = 5_000) => {
  const deadline = Date.now() + timeoutMillis
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not reached in time")
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const daemonFor = (server: SimUsbServer, name: string) =>
  SimClientDaemon.start({
    fullName: "",
    username: name,
    hostname: `${name}-pc`,
    commandPipe: path.join(dir, `${name}.cmd`),
    responsePipe: path.join(dir, `${name}.resp`),
    hubs: [`127.0.0.1:${server.port}`],
    reconnectMillis: 100
  })

describe("the simulated vhusbd", () => {
  it("numbers devices by bus path the way Linux servers appear to", () => {
    expect([addressFromBusPath("1-1.4"), addressFromBusPath("1-1.3.4"), addressFromBusPath("2-2"), addressFromBusPath("1-1")]).toEqual([
      114, 1134, 22, 11
    ])
  })

  it("writes and removes a sysfs tree laid out as /sys/bus/usb/devices", async () => {
    const sysfs = path.join(dir, "sys")
    const server = await SimUsbServer.start({ name: "s", sysfsDir: sysfs, devices: [ftdi] })
    const read = (file: string) => fs.readFile(path.join(sysfs, "1-1.2", file), "utf8")
    expect(await read("idVendor")).toBe("0403\n")
    expect(await read("idProduct")).toBe("6001\n")
    expect(await read("manufacturer")).toBe("FTDI\n")
    expect(await read("product")).toBe("FT232R USB UART\n")
    expect(await read("serial")).toBe("A50285BI\n")
    expect(await read("busnum")).toBe("1\n")
    expect(await read("devpath")).toBe("1.2\n")
    expect(await read("speed")).toBe("480\n")
    expect(await read("bDeviceClass")).toBe("00\n")
    await server.unplug("1-1.2")
    await expect(fs.stat(path.join(sysfs, "1-1.2"))).rejects.toThrow()
    await server.stop()
  })

  it("runs event hooks with $ADDRESS$, $VENDOR_ID$, $PRODUCT_ID$ and $DEVPATH$, filtered by vendor", async () => {
    const log = path.join(dir, "events.log")
    const hook = (event: string) => `echo ${event} $ADDRESS$ $VENDOR_ID$ $PRODUCT_ID$ $DEVPATH$ >> ${log}`
    const server = await SimUsbServer.start({
      name: "s",
      eventHooks: { "onEnumeration.0403": hook("enum"), onBind: hook("bind"), onUnbind: hook("unbind") },
      devices: [ftdi, dongle]
    })
    const daemon = await daemonFor(server, "bob")
    await until(() => daemon.hubStates()[0]?.state === "connected")
    expect(await daemon.execute("USE,s.112")).toBe("OK\n")
    expect(await daemon.execute("STOP USING,s.112")).toBe("OK\n")
    expect((await fs.readFile(log, "utf8")).trim().split("\n")).toEqual([
      "enum 112 0403 6001 /sys/bus/usb/devices/1-1.2",
      "bind 112 0403 6001 /sys/bus/usb/devices/1-1.2",
      "unbind 112 0403 6001 /sys/bus/usb/devices/1-1.2"
    ])
    await daemon.stop()
    await server.stop()
  })

  it("refuses a bind when the authorization script asks for a password (2) or a username (3)", async () => {
    const decision = path.join(dir, "decision")
    const server = await SimUsbServer.start({ name: "s", clientAuthorization: `exit $(cat ${decision})`, devices: [ftdi] })
    const events: Array<SimServerEvent> = []
    server.onEvent((event) => events.push(event))
    const daemon = await daemonFor(server, "bob")
    await until(() => daemon.hubStates()[0]?.state === "connected")
    for (const code of [2, 3, 0, 7]) {
      await fs.writeFile(decision, String(code))
      expect(await daemon.execute("USE,s.112")).toBe("FAILED\n")
    }
    await fs.writeFile(decision, "1")
    expect(await daemon.execute("USE,s.112")).toBe("OK\n")
    expect(events.filter((e) => e.type === "bind").map((e) => (e.type === "bind" ? [e.exitCode, e.allowed] : []))).toEqual([
      [2, false],
      [3, false],
      [0, false],
      [7, false],
      [1, true]
    ])
    await daemon.stop()
    await server.stop()
  })

  it("shows another client's use as the real client does, and keeps it from a second client", async () => {
    const server = await SimUsbServer.start({ name: "Desktop Hub", hostname: "SERVER", devices: [ftdi] })
    const ann = await daemonFor(server, "ann")
    const bob = await daemonFor(server, "bob")
    await until(() => ann.hubStates()[0]?.state === "connected" && bob.hubStates()[0]?.state === "connected")
    expect(await ann.execute("USE,server.112")).toBe("OK\n")
    await until(async () => (await bob.execute("LIST")).includes("In-use by"))
    expect(await bob.execute("LIST")).toContain("   --> FT232R USB UART (SERVER.112) (In-use by: (ann) at 127.0.0.1)\n")
    expect(await bob.execute("USE,SERVER.112")).toBe("FAILED\n")
    expect(await bob.execute("DEVICE INFO,SERVER.112")).toContain("IN USE BY: (ann) AT 127.0.0.1 (ann-pc)\n")
    await ann.stop()
    await until(async () => !(await bob.execute("LIST")).includes("In-use by"))
    await bob.stop()
    await server.stop()
  })

  it("keeps a vanished client's binding until the reap delay, as vhusbd does", async () => {
    const server = await SimUsbServer.start({ name: "s", devices: [ftdi], reapAfterMillis: 300 })
    const daemon = await daemonFor(server, "bob")
    await until(() => daemon.hubStates()[0]?.state === "connected")
    expect(await daemon.execute("USE,s.112")).toBe("OK\n")
    await daemon.stop()
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(server.listDevices()[0]!.boundTo).not.toBeNull()
    await until(() => server.listDevices()[0]!.boundTo === null)
    await server.stop()
  })
})
