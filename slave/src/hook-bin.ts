#!/usr/bin/env node
/**
 * ncod-slave-hook: what vhusbd runs. For ClientAuthorization it asks the running agent over its
 * local socket and exits 1 (allow) only on an explicit allow; no agent, a timeout, a bad reply or a
 * bad command line exit 0 (deny). For event hooks it pokes the agent and always exits 0.
 * Node built-ins only: it runs on every bind attempt and must answer in milliseconds.
 */
import { parseHookArgs } from "./hook/hookArgs.js"
import { askAgent } from "./hook/protocol.js"

const ALLOW = 1
const DENY = 0
const defaultSocket = "/run/ncod-slave/agent.sock"

/** One JSON line on stderr, the agent's log shape; the password never appears. */
const log = (level: string, msg: string, fields: Record<string, unknown> = {}) =>
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, component: "ncod-slave-hook", ...fields })}\n`)

const main = async (): Promise<number> => {
  const invocation = parseHookArgs(process.argv.slice(2))
  const socket = invocation.socket ?? (process.env["NCOD_SLAVE_SOCKET"] || defaultSocket)
  if (invocation.mode === "invalid") {
    log("warning", "hook denied: bad command line", { reason: invocation.reason })
    return DENY
  }
  if (invocation.mode === "event") {
    await askAgent(socket, invocation.request, invocation.timeoutMs).catch((error: Error) =>
      log("debug", "event not delivered", { event: invocation.request.event, reason: error.message })
    )
    return DENY // vhusbd ignores an event hook's status
  }
  const { request } = invocation
  try {
    const reply = (await askAgent(socket, request, invocation.timeoutMs)) as { ok?: unknown; allow?: unknown }
    return reply?.ok === true && reply.allow === true ? ALLOW : DENY
  } catch (error) {
    log("warning", "hook denied: no answer from the agent", {
      reason: (error as Error).message,
      vendorId: request.vendorId.slice(0, 8),
      productId: request.productId.slice(0, 8),
      clientId: request.clientId.slice(0, 200),
      clientIp: request.clientIp.slice(0, 64)
    })
    return DENY
  }
}

main().then(
  (code) => process.exit(code),
  () => process.exit(DENY)
)
