import type { Principal } from "@ncod/core"
import { OrgUnitsRepo, UsersRepo, type Visibility } from "@ncod/sql"
import { Effect, Option } from "effect"

/** Admins see the whole fleet; a user sees what is granted to them or to their unit's branch. */
export const visibilityFor = (principal: Principal) =>
  Effect.gen(function* () {
    if (principal.role === "admin") return { _tag: "all" } as Visibility
    const users = yield* UsersRepo
    const units = yield* OrgUnitsRepo
    const user = yield* users.findById(principal.userId)
    const unitId = Option.flatMap(user, (u) => Option.fromNullable(u.orgUnitId))
    const orgUnitIds = Option.isSome(unitId) ? (yield* units.pathTo(unitId.value)).map((unit) => unit.id) : []
    return { _tag: "granted", userId: principal.userId, orgUnitIds } as Visibility
  })

/** The cache key of what a caller may see. */
export const visibilityKey = (principal: Principal) => (principal.role === "admin" ? "all" : `user:${principal.userId}`)
