/**
 * The simulator's private wire protocol between a simulated USB server and a simulated client
 * daemon: newline-delimited JSON over TCP. VirtualHere's own protocol is proprietary; this one only
 * carries what the client's IPC replies need, so the two ends can run in different processes.
 *
 *   client → server  hello | bind | unbind | unbindAll | rename
 *   server → client  welcome (server facts + devices) | devices (full snapshot on every change) | result
 */
export interface SimDeviceSnapshot {
  /** The integer part of the VirtualHere address. */
  readonly address: number
  readonly vendorId: string
  readonly productId: string
  readonly product: string
  readonly manufacturer: string
  readonly serial: string
  readonly busPath: string
  readonly nickname: string
  readonly numConfigurations: number
  readonly firstInterfaceClass: number
  /** Who holds the device; `byYou` is computed per receiving connection. */
  readonly boundTo: { readonly clientId: string; readonly hostname: string; readonly ip: string; readonly byYou: boolean } | null
}

export interface SimServerFacts {
  readonly name: string
  /** The advertised hostname: prefix of device addresses, what clients connect to. */
  readonly hostname: string
  readonly port: number
  readonly version: string
  readonly serial: string
  readonly maxDevices: number
  readonly connectionId: number
}

export type SimClientMessage =
  | { readonly t: "hello"; readonly clientId: string; readonly hostname: string }
  | { readonly t: "bind"; readonly req: number; readonly address: number; readonly password: string | null }
  | { readonly t: "unbind"; readonly req: number; readonly address: number }
  | { readonly t: "unbindAll"; readonly req: number }
  | { readonly t: "rename"; readonly req: number; readonly address: number; readonly nickname: string }

export type SimServerMessage =
  | { readonly t: "welcome"; readonly server: SimServerFacts; readonly devices: ReadonlyArray<SimDeviceSnapshot> }
  | { readonly t: "devices"; readonly server: SimServerFacts; readonly devices: ReadonlyArray<SimDeviceSnapshot> }
  | { readonly t: "result"; readonly req: number; readonly ok: boolean; readonly reason?: string }

/** Splits a byte stream into lines and parses each as JSON; bad lines are dropped, never thrown. */
export const lineDecoder = <A>(onMessage: (message: A) => void) => {
  let buffer = ""
  return (chunk: Buffer | string) => {
    buffer += chunk.toString()
    let newline = buffer.indexOf("\n")
    while (newline >= 0) {
      const line = buffer.slice(0, newline)
      buffer = buffer.slice(newline + 1)
      if (line.trim() !== "") {
        try {
          onMessage(JSON.parse(line) as A)
        } catch {
          // A garbled line from a peer is ignored, as a real client ignores noise it cannot read.
        }
      }
      newline = buffer.indexOf("\n")
    }
  }
}

export const encodeLine = (message: SimClientMessage | SimServerMessage): string => `${JSON.stringify(message)}\n`
