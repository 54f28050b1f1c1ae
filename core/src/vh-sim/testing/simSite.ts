import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { SimClientDaemon, type SimClientDaemonOptions } from "../SimClientDaemon.js"
import { SimUsbServer, type SimUsbServerOptions } from "../SimUsbServer.js"
import type { SimUsbDeviceSpec } from "../usbDevice.js"

/**
 * One simulated site for tests: a USB server, a client daemon that has it as a manual hub, and a
 * temporary directory for pipes, hook scripts and the fake sysfs. Test-only; not exported.
 */
export const ftdi: SimUsbDeviceSpec = {
  vendorId: "0403",
  productId: "6001",
  product: "FT232R USB UART",
  manufacturer: "FTDI",
  serial: "A50285BI",
  busPath: "1-1.2"
}
export const dongle: SimUsbDeviceSpec = {
  vendorId: "064f",
  productId: "2af9",
  product: "WIBU-BOX/U",
  manufacturer: "WIBU-SYSTEMS AG",
  serial: "2-1234567",
  busPath: "1-1.3"
}
export const nameless: SimUsbDeviceSpec = { vendorId: "0a2b", productId: "0a2b", busPath: "2-1" }

export interface SimSite {
  readonly dir: string
  readonly server: SimUsbServer
  readonly daemon: SimClientDaemon
  readonly commandPipe: string
  readonly responsePipe: string
  readonly duplexPipe: string
  /** Resolves when `check` holds, polling; rejects after `timeoutMillis`. */
  readonly until: (check: () => boolean, timeoutMillis?: number) => Promise<void>
  readonly close: () => Promise<void>
}

export const startSimSite = async (
  server: Partial<SimUsbServerOptions> = {},
  daemon: Partial<SimClientDaemonOptions> = {}
): Promise<SimSite> => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "vhsim-"))
  const usb = await SimUsbServer.start({ name: "Lab Hub", hostname: "labhub", devices: [ftdi, dongle, nameless], ...server })
  const commandPipe = path.join(dir, "vhclient")
  const responsePipe = path.join(dir, "vhclient_response")
  const duplexPipe = path.join(dir, "vhclient.sock")
  const client = await SimClientDaemon.start({
    fullName: "Ann Lee",
    username: "ann",
    hostname: "ANN-PC",
    commandPipe,
    responsePipe,
    duplexPipePath: duplexPipe,
    hubs: [`127.0.0.1:${usb.port}`],
    reconnectMillis: 100,
    ...daemon
  })
  const until = async (check: () => boolean, timeoutMillis = 5_000) => {
    const deadline = Date.now() + timeoutMillis
    while (!check()) {
      if (Date.now() > deadline) throw new Error("condition not reached in time")
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
  await until(() => client.hubStates().some((hub) => hub.state === "connected"))
  return {
    dir,
    server: usb,
    daemon: client,
    commandPipe,
    responsePipe,
    duplexPipe,
    until,
    close: async () => {
      await client.stop()
      await usb.stop()
      await fs.rm(dir, { recursive: true, force: true })
    }
  }
}

/**
 * An authorization script in the shape the slave agent's hook will have: records its arguments
 * (one line per call) and exits with the number in `<dir>/decision` (1 allow by default).
 */
export const writeAuthScript = async (dir: string): Promise<{ commandLine: string; calls: () => Promise<Array<string>>; decide: (code: number) => Promise<void> }> => {
  const script = path.join(dir, "auth.sh")
  const log = path.join(dir, "auth.log")
  const decision = path.join(dir, "decision")
  await fs.writeFile(
    script,
    `#!/bin/sh\nprintf '%s|' "$@" >> "${log}"\necho >> "${log}"\nexit "$(cat "${decision}" 2>/dev/null || echo 1)"\n`,
    { mode: 0o755 }
  )
  return {
    commandLine: `${script} "$VENDOR_ID$" "$PRODUCT_ID$" "$CLIENT_ID$" "$CLIENT_IP$" "$CLIENT_HOSTNAME$" "$PRODUCT_SERIAL$" "$PASSWORD$" "$DEVPATH$" "$NICKNAME$" "$NUM_BINDINGS$"`,
    calls: async () => (await fs.readFile(log, "utf8").catch(() => "")).split("\n").filter((line) => line !== ""),
    decide: (code) => fs.writeFile(decision, String(code))
  }
}
