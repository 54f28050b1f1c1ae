import { HttpApiBuilder } from "@effect/platform"
import { CurrentUser, DeviceView, NcodApi, NotFound, Page, SlaveSummary } from "@ncod/core"
import { DevicesRepo, SlavesRepo } from "@ncod/sql"
import { Effect, Option, Schema } from "effect"
import { InventoryCache } from "../cache/InventoryCache.js"
import { visibilityFor, visibilityKey } from "./Visibility.js"

const DevicePage = Page(DeviceView)
const SlaveList = Schema.Array(SlaveSummary)

export const InventoryHandlers = HttpApiBuilder.group(NcodApi, "inventory", (handlers) =>
  Effect.gen(function* () {
    const devices = yield* DevicesRepo
    const slaves = yield* SlavesRepo
    const cache = yield* InventoryCache
    const context = yield* Effect.context<Effect.Effect.Context<ReturnType<typeof visibilityFor>>>()
    const visibility = (principal: Parameters<typeof visibilityFor>[0]) => Effect.provide(visibilityFor(principal), context)

    const visibleSlaves = Effect.gen(function* () {
      const me = yield* CurrentUser
      return yield* cache.cached(
        `slaves:${visibilityKey(me)}`,
        SlaveList,
        Effect.gen(function* () {
          const scope = yield* visibility(me)
          return yield* slaves.listWithCounts(scope._tag === "all" ? null : yield* devices.visibleSlaveIds(scope))
        })
      )
    })

    return handlers
      .handle("slaves", () => visibleSlaves)
      .handle("slave", ({ path }) =>
        Effect.flatMap(visibleSlaves, (list) => {
          const found = list.find((summary) => summary.slave.id === path.id)
          return found ? Effect.succeed(found) : Effect.fail(new NotFound({ resource: "slave" }))
        })
      )
      .handle("devices", ({ urlParams }) =>
        Effect.gen(function* () {
          const me = yield* CurrentUser
          const query = { ...urlParams, limit: urlParams.limit ?? 100 }
          return yield* cache.cached(
            `devices:${visibilityKey(me)}:${JSON.stringify(query)}`,
            DevicePage,
            Effect.flatMap(visibility(me), (scope) => devices.list(query, scope))
          )
        })
      )
      .handle("device", ({ path }) =>
        Effect.gen(function* () {
          const me = yield* CurrentUser
          const view = yield* devices.view(path.id, yield* visibility(me))
          if (Option.isNone(view)) return yield* new NotFound({ resource: "device" })
          return { view: view.value, events: yield* devices.events(path.id, 50) }
        })
      )
  })
)
