import { HttpApiBuilder } from "@effect/platform"
import { CurrentUser, DeviceView, NcodApi, NotFound, Page, SlaveSummary } from "@ncod/core"
import { DevicesRepo, SlavesRepo } from "@ncod/sql"
import { Effect, Option, Schema } from "effect"
import { InventoryCache } from "../cache/InventoryCache.js"
import { conditionalJson } from "../http/ConditionalJson.js"
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

    const slaveList = Effect.gen(function* () {
      const me = yield* CurrentUser
      const compute = Effect.gen(function* () {
        const scope = yield* visibility(me)
        return yield* slaves.listWithCounts(scope._tag === "all" ? null : yield* devices.visibleSlaveIds(scope))
      })
      return { key: `slaves:${visibilityKey(me)}`, compute }
    })
    const visibleSlaves = Effect.flatMap(slaveList, ({ compute, key }) => cache.cached(key, SlaveList, compute))

    return handlers
      .handle("slaves", ({ request }) =>
        Effect.flatMap(slaveList, ({ compute, key }) => Effect.map(cache.cachedJson(key, SlaveList, compute), (json) => conditionalJson(request, json)))
      )
      .handle("slave", ({ path }) =>
        Effect.flatMap(visibleSlaves, (list) => {
          const found = list.find((summary) => summary.slave.id === path.id)
          return found ? Effect.succeed(found) : Effect.fail(new NotFound({ resource: "slave" }))
        })
      )
      .handle("devices", ({ request, urlParams }) =>
        Effect.gen(function* () {
          const me = yield* CurrentUser
          const query = { ...urlParams, limit: urlParams.limit ?? 100 }
          const json = yield* cache.cachedJson(
            `devices:${visibilityKey(me)}:${JSON.stringify(query)}`,
            DevicePage,
            Effect.flatMap(visibility(me), (scope) => devices.list(query, scope))
          )
          return conditionalJson(request, json)
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
