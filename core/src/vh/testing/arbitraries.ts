import fc from "fast-check"
import type { VhClientState, VhDeviceInfo, VhListReply, VhServerInfo, VhStateConnection, VhStateDevice } from "../models.js"

/**
 * Generators of well-formed models, for round-trip properties (model → print → parse → same model)
 * and of hostile text for the totality properties. Test-only: not exported from the package.
 */
const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
const fromChars = (chars: string, minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...chars.split("")), minLength, maxLength })

export const hostArb = fc
  .tuple(fromChars(letters, 1, 12), fc.array(fromChars(`${letters}-`, 1, 8), { maxLength: 2 }))
  .map(([head, tail]) => [head, ...tail].join("."))
  .filter((host) => !/\.\d+$/.test(host) || host.includes("-"))
const ipArb = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((parts) => parts.join("."))
const nameChars = `${letters} */()._-+&#:'!`
const deviceNameArb = fromChars(nameChars, 0, 30).filter((name) => !/\(\S+\.\d+\)/.test(name))
const hubNameArb = fc
  .tuple(fromChars(letters, 1, 1), fromChars(nameChars, 0, 25))
  .map(([a, b]) => a + b)
  .filter((name) => !/^(Auto-|Reverse |VirtualHere )/i.test(name))
const clientIdArb = fc
  .tuple(fromChars(`${letters} `, 0, 15), fromChars(letters, 1, 10))
  .map(([full, user]) => `${full.trim()} (${user})`.trimStart())

const useStatusArb = fc.oneof(
  fc.constant({ _tag: "Free" as const }),
  fc.constant({ _tag: "InUseByYou" as const }),
  fc.record({ _tag: fc.constant("InUseByOther" as const), clientId: clientIdArb, ip: fc.option(ipArb, { nil: null }) }),
  fc.record({
    _tag: fc.constant("Unrecognized" as const),
    text: fromChars(`${letters} `, 1, 20).filter((t) => t.trim() === t && !/^in[- ]use/i.test(t))
  })
)

export const listReplyArb: fc.Arbitrary<VhListReply> = fc.record({
  hubs: fc.array(
    fc.tuple(hubNameArb, hostArb, fc.integer({ min: 1, max: 65535 })).chain(([name, host, port]) =>
      fc.record({
        name: fc.constant(name),
        host: fc.constant(host),
        port: fc.constant(port),
        devices: fc.array(
          fc.record({
            name: deviceNameArb,
            address: fc.nat(1_000_000_000).map((n) => `${host}.${n}`),
            autoUse: fc.boolean(),
            status: useStatusArb
          }),
          { maxLength: 5 }
        )
      })
    ),
    { maxLength: 4 }
  ),
  autoFind: fc.option(fc.boolean(), { nil: null }),
  autoUseAll: fc.option(fc.boolean(), { nil: null }),
  reverseLookup: fc.option(fc.boolean(), { nil: null }),
  reverseSslLookup: fc.option(fc.boolean(), { nil: null }),
  runningAsService: fc.boolean()
})

const anyText = fc.string({ unit: "binary", maxLength: 20 })
const xmlNameArb = fc
  .tuple(fromChars("abcdefghijklmnopqrstuvwxyz", 1, 1), fromChars(`${letters}_`, 0, 10))
  .map(([a, b]) => `x${a}${b}`)
const extraArb = fc.dictionary(xmlNameArb, anyText, { maxKeys: 3 })

const connectionArb: fc.Arbitrary<VhStateConnection> = fc.record({
  connectionId: fc.nat(1000),
  serverMajor: fc.nat(9),
  serverMinor: fc.nat(20),
  serverRevision: fc.nat(20),
  serverName: anyText,
  hostname: hostArb,
  serverSerial: anyText,
  licenseMaxDevices: fc.nat(1000),
  state: fc.nat(15),
  host: anyText,
  port: fc.integer({ min: 1, max: 65535 }),
  ip: anyText,
  extra: extraArb
})

const stateDeviceArb: fc.Arbitrary<VhStateDevice> = fc.record({
  vendor: anyText,
  product: anyText,
  idVendor: fc.nat(65535),
  idProduct: fc.nat(65535),
  address: fc.nat(1_000_000_000),
  connectionId: fc.nat(1000),
  state: fc.nat(7),
  deviceSerial: anyText,
  nickname: anyText,
  boundClientHostname: anyText,
  boundConnectionIp: anyText,
  clientId: anyText,
  autoUse: anyText,
  extra: extraArb
})

export const clientStateArb: fc.Arbitrary<VhClientState> = fc.record({
  servers: fc.array(fc.record({ connection: connectionArb, devices: fc.array(stateDeviceArb, { maxLength: 4 }) }), {
    maxLength: 3
  })
})

const valueArb = fromChars(`${letters} .:/()-_`, 0, 20).map((v) => v.trim())
const nonEmptyValueArb = valueArb.filter((v) => v !== "")
const upperKeyArb = fromChars("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1, 1).chain((a) =>
  fromChars("ABCDEFGHIJKLMNOPQRSTUVWXYZ_", 0, 8).map((b) => `X${a}${b}`)
)
const kvExtraArb = fc.dictionary(upperKeyArb, valueArb, { maxKeys: 2 })
const usbIdArb = fc.nat(65535).map((n) => n.toString(16).padStart(4, "0"))

export const deviceInfoArb: fc.Arbitrary<VhDeviceInfo> = fc.record({
  address: fc.tuple(hostArb, fc.nat(100000)).map(([h, n]) => `${h}.${n}`),
  vendor: valueArb,
  vendorId: usbIdArb,
  product: valueArb,
  productId: usbIdArb,
  serial: fc.option(nonEmptyValueArb, { nil: null }),
  nickname: fc.option(nonEmptyValueArb, { nil: null }),
  inUseBy: fc.oneof(
    fc.constant({ _tag: "NoOne" as const }),
    fc.constant({ _tag: "You" as const }),
    fc.tuple(clientIdArb, ipArb, fromChars(letters, 1, 10)).map(([clientId, ip, hostname]) => ({
      _tag: "Other" as const,
      text: `${clientId} AT ${ip} (${hostname})`,
      clientId,
      ip,
      hostname
    }))
  ),
  extra: kvExtraArb
})

export const serverInfoArb: fc.Arbitrary<VhServerInfo> = fc.record({
  name: valueArb,
  version: fc.option(nonEmptyValueArb, { nil: null }),
  state: fc.option(nonEmptyValueArb, { nil: null }),
  address: fromChars(`${letters}.-`, 1, 20),
  resolvedAddress: fc.option(ipArb, { nil: null }),
  port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: null }),
  connectedForSeconds: fc.option(fc.nat(), { nil: null }),
  maxDevices: fc.option(fc.nat(1000), { nil: null }),
  connectionId: fc.option(fc.nat(1000), { nil: null }),
  interface: fc.option(valueArb, { nil: null }),
  serialNumber: fc.option(nonEmptyValueArb, { nil: null }),
  easyFind: fc.option(nonEmptyValueArb, { nil: null }),
  extra: kvExtraArb
})

/** Text built from the pieces the parsers look for, so random input reaches deep branches. */
export const hostileTextArb = fc.oneof(
  fc.string({ unit: "binary", maxLength: 400 }),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(
          "VirtualHere Client IPC, below are the available devices:",
          "(Value in brackets = address, * = Auto-Use)",
          "   --> ",
          "  *--> ",
          " (",
          ")",
          "(host.12)",
          "(In-use by you)",
          "(In-use by: x (y) at 1.2.3.4)",
          "Hub (h:7575)",
          "Auto-Find currently on",
          "VirtualHere Client is running as a service",
          "<state>",
          "</state>",
          "<server>",
          "</server>",
          '<connection hostname="h" port="7575" />',
          '<device address="1" state="3" idVendor="x" />',
          "<device ",
          '="',
          "&#x110000;",
          "&amp;",
          "<!--",
          "<?xml",
          "ADDRESS: h.1",
          "VENDOR ID: 0x",
          "IN USE BY: ",
          "NAME: n",
          "PORT: 99999999999999999999",
          "CONNECTED FOR: 1 sec",
          "OK",
          "FAILED:",
          "ERROR:",
          "\r\n",
          "\n",
          "\u0001",
          "C:\\x>"
        ),
        fc.string({ maxLength: 12 })
      ),
      { maxLength: 60 }
    )
    .map((parts) => parts.join(""))
)
