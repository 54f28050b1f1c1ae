import type { ReportedDevice } from "@ncod/core"
import { Clock, Effect } from "effect"
import type { Health } from "../agent/Health.js"
import type { Signal } from "../agent/Signals.js"
import type { Grants } from "../link/Grants.js"
import { cleanText } from "../scanner/text.js"
import type { AgentSocketHandlers } from "./AgentSocket.js"
import { authorize, busPathOfDevpath } from "./Authorize.js"

export interface HookHandlerDeps {
  readonly grants: Grants
  readonly devices: Effect.Effect<ReadonlyArray<ReportedDevice>>
  readonly grantsMaxAgeSeconds: number
  readonly scan: Signal
  readonly health: Health
}

/** What the agent's socket answers: the hook's authorization, vhusbd's events, and `status`. */
export const makeHookHandlers = ({ devices, grants, grantsMaxAgeSeconds, health, scan }: HookHandlerDeps): AgentSocketHandlers => ({
  authorize: (request) =>
    Effect.gen(function* () {
      const decision = authorize(request, yield* grants.view, {
        now: yield* Clock.currentTimeMillis,
        maxAgeMs: grantsMaxAgeSeconds * 1000,
        devices: yield* devices
      })
      // one line per decision; the password (an MD5 the client chose) is never logged
      yield* Effect.logInfo(decision.allow ? "hook allowed a bind" : "hook denied a bind").pipe(
        Effect.annotateLogs({
          allow: decision.allow,
          reason: decision.reason,
          leaseId: decision.leaseId,
          vendorId: cleanText(request.vendorId, 16),
          productId: cleanText(request.productId, 16),
          serial: cleanText(request.serial, 64),
          busPath: busPathOfDevpath(request.devpath),
          clientId: cleanText(request.clientId, 200),
          clientIp: cleanText(request.clientIp, 64),
          clientHostname: cleanText(request.clientHostname, 100)
        })
      )
      return { ok: true as const, allow: decision.allow, reason: decision.reason }
    }),
  event: (request) =>
    Effect.logDebug("vhusbd event").pipe(
      Effect.annotateLogs({ event: cleanText(request.event, 40), address: cleanText(request.address, 20) }),
      Effect.zipRight(scan.wake)
    ),
  status: health.get
})
