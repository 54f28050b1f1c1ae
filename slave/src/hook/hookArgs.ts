/**
 * The hook's command line, as vhusbd runs it (see `buildClientAuthorizationCommandLine` in core):
 *
 *   ncod-slave-hook [--socket P] --vendor-id '$VENDOR_ID$' --product-id '$PRODUCT_ID$' --client-id '$CLIENT_ID$' …
 *   ncod-slave-hook [--socket P] event onBind --address "$ADDRESS$" --vendor-id "$VENDOR_ID$" …
 *
 * vhusbd pastes raw text into a shell line, so a client id with a quote in it can split into
 * extra words. Anything that is not exactly the expected shape — an unknown flag, a flag twice, a
 * stray word — is refused, and the hook denies. Node built-ins only (the hook must start fast).
 */
import { type AuthorizeRequest, DEFAULT_HOOK_TIMEOUT_MS, type EventRequest } from "./protocol.js"

const authorizeFlags = {
  "--vendor-id": "vendorId",
  "--product-id": "productId",
  "--client-id": "clientId",
  "--client-ip": "clientIp",
  "--client-hostname": "clientHostname",
  "--serial": "serial",
  "--password": "password",
  "--devpath": "devpath",
  "--nickname": "nickname",
  "--num-bindings": "numBindings"
} as const

const eventFlags = { "--address": "address", "--vendor-id": "vendorId", "--product-id": "productId", "--devpath": "devpath" } as const

const commonFlags = { "--socket": "socket", "--timeout-ms": "timeoutMs" } as const

export type HookInvocation =
  | { readonly mode: "authorize"; readonly socket: string | undefined; readonly timeoutMs: number; readonly request: AuthorizeRequest }
  | { readonly mode: "event"; readonly socket: string | undefined; readonly timeoutMs: number; readonly request: EventRequest }
  | { readonly mode: "invalid"; readonly socket: string | undefined; readonly reason: string }

export const parseHookArgs = (argv: ReadonlyArray<string>): HookInvocation => {
  const values = new Map<string, string>()
  const words: Array<string> = []
  const isEvent = firstWord(argv) === "event"
  const known: Record<string, string> = { ...commonFlags, ...(isEvent ? eventFlags : authorizeFlags) }
  let problem: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!
    if (word.startsWith("--")) {
      const name = known[word]
      if (name === undefined) problem ??= `unknown option ${word.slice(0, 40)}`
      else if (values.has(name)) problem ??= `${word} given twice`
      else if (i + 1 >= argv.length) problem ??= `${word} without a value`
      else values.set(name, argv[++i]!)
    } else words.push(word)
  }
  const socket = values.get("socket")
  const timeoutText = values.get("timeoutMs")
  const timeoutMs = timeoutText !== undefined && /^\d{1,6}$/.test(timeoutText) ? Number(timeoutText) : isEvent ? 1_000 : DEFAULT_HOOK_TIMEOUT_MS
  if (problem !== undefined) return { mode: "invalid", socket, reason: problem }
  const value = (name: string) => values.get(name) ?? ""
  if (isEvent) {
    if (words.length !== 2 || !/^on[A-Za-z]{1,40}$/.test(words[1]!)) return { mode: "invalid", socket, reason: "usage: event <onEventName> [--address N]" }
    return {
      mode: "event",
      socket,
      timeoutMs,
      request: { v: 1, op: "event", event: words[1]!, address: value("address"), vendorId: value("vendorId"), productId: value("productId"), devpath: value("devpath") }
    }
  }
  if (words.length > 0) return { mode: "invalid", socket, reason: "unexpected words on the command line (a client id that broke out of its quotes?)" }
  if (!values.has("vendorId") || !values.has("productId") || !values.has("clientId")) {
    return { mode: "invalid", socket, reason: "--vendor-id, --product-id and --client-id are required" }
  }
  return {
    mode: "authorize",
    socket,
    timeoutMs,
    request: {
      v: 1,
      op: "authorize",
      vendorId: value("vendorId"),
      productId: value("productId"),
      clientId: value("clientId"),
      clientIp: value("clientIp"),
      clientHostname: value("clientHostname"),
      serial: value("serial"),
      password: value("password"),
      devpath: value("devpath"),
      nickname: value("nickname"),
      numBindings: value("numBindings")
    }
  }
}

/** The first word that is neither an option nor an option's value. */
function firstWord(argv: ReadonlyArray<string>): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i]!.startsWith("--")) i++
    else return argv[i]
  }
  return undefined
}
