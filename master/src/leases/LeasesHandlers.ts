import { HttpApiBuilder } from "@effect/platform"
import { CurrentUser, NcodApi, type OrgUnitId } from "@ncod/core"
import { LeasesRepo, OrgUnitsRepo } from "@ncod/sql"
import { DateTime, Effect } from "effect"
import { clientAddress } from "../auth/ClientAddress.js"
import { LeaseService } from "./LeaseService.js"

const withCaller = <A, E, R>(f: (me: typeof CurrentUser.Service, sourceIp: string) => Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const me = yield* CurrentUser
    return yield* f(me, yield* clientAddress)
  })

export const LeasesHandlers = HttpApiBuilder.group(NcodApi, "leases", (handlers) =>
  Effect.map(LeaseService, (leases) =>
    handlers
      .handle("create", ({ payload }) => withCaller((me, sourceIp) => leases.create(me, payload.deviceId, payload.minutes, { sourceIp })))
      .handle("mine", () => withCaller((me) => leases.mine(me)))
      .handle("get", ({ path }) => withCaller((me) => leases.view(me, path.id)))
      .handle("attach", ({ path, payload }) => withCaller((me, sourceIp) => leases.attach(me, path.id, payload.clientIdentity, { sourceIp })))
      .handle("activate", ({ path }) => withCaller((me) => leases.activate(me, path.id)))
      .handle("keepAlive", ({ path }) => withCaller((me) => leases.keepAlive(me, path.id)))
      .handle("renew", ({ path, payload }) => withCaller((me, sourceIp) => leases.renew(me, path.id, payload.minutes, { sourceIp })))
      .handle("release", ({ path, payload }) => withCaller((me, sourceIp) => leases.release(me, path.id, payload.reason ?? "released", { sourceIp })))
      .handle("requestRelease", ({ path, payload }) => withCaller((me, sourceIp) => leases.requestRelease(me, path.id, payload.message, { sourceIp })))
      .handle("declineRelease", ({ path }) => withCaller((me, sourceIp) => leases.declineRelease(me, path.id, { sourceIp })))
      .handle("enqueue", ({ path }) => withCaller((me) => leases.enqueue(me, path.id)))
      .handle("dequeue", ({ path }) => withCaller((me) => leases.dequeue(me, path.id)))
      .handle("myQueue", () => withCaller((me) => leases.myQueue(me)))
  )
)

export const AdminLeasesHandlers = HttpApiBuilder.group(NcodApi, "adminLeases", (handlers) =>
  Effect.gen(function* () {
    const service = yield* LeaseService
    const repo = yield* LeasesRepo
    const units = yield* OrgUnitsRepo
    return handlers
      .handle("usage", ({ urlParams }) =>
        Effect.gen(function* () {
          // usage of an org unit covers everyone in it and in the units below it
          const orgUnitIds: ReadonlyArray<OrgUnitId> | undefined = urlParams.orgUnitId ? yield* units.subtreeIds(urlParams.orgUnitId) : undefined
          return yield* repo.usage({
            userId: urlParams.userId,
            deviceId: urlParams.deviceId,
            orgUnitIds,
            from: urlParams.from ? DateTime.toDate(urlParams.from) : undefined,
            to: urlParams.to ? DateTime.toDate(urlParams.to) : undefined,
            open: urlParams.open,
            limit: urlParams.limit ?? 100,
            cursor: urlParams.cursor
          })
        })
      )
      .handle("forceRelease", ({ path, payload }) =>
        withCaller((me, sourceIp) => Effect.map(service.forceRelease(me, path.id, payload.reason, payload.kick, { sourceIp }), (r) => r.toLease()))
      )
  })
)
