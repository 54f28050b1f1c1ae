import { EventsRpc, type LiveEvent, type Principal, Unauthenticated } from "@ncod/core"
import { Duration, Effect, Stream } from "effect"
import { AccessControl } from "../auth/AccessControl.js"
import { EventBus } from "./EventBus.js"

/** Which events a subscriber may see: admins everything, users the fleet and their own affairs. */
export const visibleTo =
  (caller: Principal) =>
  (event: LiveEvent): boolean => {
    if (caller.role === "admin" && caller.status === "approved") return true
    switch (event._tag) {
      case "AccountStatusChanged":
      case "MachineStatusChanged":
        return event.userId === caller.userId
      case "LeaseChanged":
        return event.lease.userId === caller.userId
      case "WaitlistOffered":
        return event.userId === caller.userId
      case "ReleaseRequested":
        return event.holderUserId === caller.userId || event.requestedBy.userId === caller.userId
      case "ReleaseDeclined":
        return event.requesterUserId === caller.userId
      default:
        return caller.status === "approved"
    }
  }

/**
 * `SubscribeEvents`: checks the token like any route, then streams what the caller may see until
 * the token expires (the client resubscribes with a fresh token).
 */
export const EventsRpcHandlers = EventsRpc.toLayer(
  Effect.gen(function* () {
    const access = yield* AccessControl
    const bus = yield* EventBus
    return {
      SubscribeEvents: ({ accessToken }) =>
        Stream.unwrap(
          Effect.gen(function* () {
            const caller = yield* access.signedIn(accessToken).pipe(Effect.mapError(() => new Unauthenticated()))
            const remaining = Duration.millis(Math.max(0, caller.expiresAt.getTime() - Date.now()))
            return bus.subscribe.pipe(
              Stream.filter(visibleTo(caller)),
              // what the caller may see depends on their account: when it changes, end the stream
              // (after delivering the change) so the client resubscribes and is judged afresh
              Stream.takeUntil((event) => event._tag === "AccountStatusChanged" && event.userId === caller.userId),
              Stream.interruptWhen(Effect.sleep(remaining))
            )
          })
        )
    }
  })
)
