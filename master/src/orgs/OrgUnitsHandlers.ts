import { HttpApiBuilder } from "@effect/platform"
import { childKindOf, Conflict, CurrentUser, NcodApi, NotFound, type OrgUnitId, type OrgUnitKind, OrgUnitInUse, ValidationFailed } from "@ncod/core"
import { OrgUnitsRepo } from "@ncod/sql"
import { Effect, Option } from "effect"
import { actorOf, AuditTrail } from "../audit/AuditTrail.js"
import { clientAddress } from "../auth/ClientAddress.js"

/** The public tree the registration form offers: active units only. */
export const OrgUnitsHandlers = HttpApiBuilder.group(NcodApi, "orgUnits", (handlers) =>
  Effect.map(OrgUnitsRepo, (units) => handlers.handle("tree", () => units.listActive))
)

const invalidParent = (message: string) => new ValidationFailed({ issues: [{ path: ["parentId"], message }] })

export const AdminOrgUnitsHandlers = HttpApiBuilder.group(NcodApi, "adminOrgUnits", (handlers) =>
  Effect.gen(function* () {
    const units = yield* OrgUnitsRepo
    const audit = yield* AuditTrail

    const find = (id: OrgUnitId) =>
      Effect.flatMap(units.findById(id), Option.match({ onNone: () => Effect.fail(new NotFound({ resource: "org_unit" })), onSome: Effect.succeed }))

    /** Each level hangs under the level above: organization → company → project department. */
    const checkParent = (kind: OrgUnitKind, parentId: OrgUnitId | null) =>
      Effect.gen(function* () {
        if (kind === "organization") {
          if (parentId !== null) return yield* invalidParent("an organization has no parent")
          return
        }
        if (parentId === null) return yield* invalidParent(`a ${kind.replace("_", " ")} needs a parent`)
        const parent = yield* units.findById(parentId)
        if (Option.isNone(parent)) return yield* invalidParent("the parent does not exist")
        if (childKindOf[parent.value.kind] !== kind) {
          return yield* invalidParent(`a ${kind.replace("_", " ")} cannot be placed under a ${parent.value.kind.replace("_", " ")}`)
        }
        if (parent.value.retiredAt !== null) return yield* invalidParent("the parent is retired")
      })

    const record = (action: string, id: string, details: Record<string, unknown>) =>
      Effect.gen(function* () {
        const me = yield* CurrentUser
        yield* audit.record({ ...actorOf(me), action, targetType: "org_unit", targetId: id, result: "success", sourceIp: yield* clientAddress, details })
      })

    // sibling names are unique (a partial unique index): a clash surfaces as a conflict
    const uniqueName = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      effect.pipe(
        Effect.catchAllDefect((defect) =>
          String((defect as { cause?: { code?: string } })?.cause?.code) === "23505"
            ? Effect.fail(new Conflict({ reason: "a unit with this name already exists at this level" }))
            : Effect.die(defect)
        )
      )

    return handlers
      .handle("list", () => units.listWithCounts)
      .handle("create", ({ payload }) =>
        Effect.gen(function* () {
          yield* checkParent(payload.kind, payload.parentId)
          const unit = yield* uniqueName(units.insert(payload))
          yield* record("org_unit.create", unit.id, { kind: unit.kind, name: unit.name, parentId: unit.parentId })
          return unit
        })
      )
      .handle("update", ({ path, payload }) =>
        Effect.gen(function* () {
          const unit = yield* find(path.id)
          if (payload.parentId !== undefined && payload.parentId !== unit.parentId) yield* checkParent(unit.kind, payload.parentId)
          const updated = yield* uniqueName(units.update(path.id, payload))
          const result = yield* Option.match(updated, { onNone: () => Effect.fail(new NotFound({ resource: "org_unit" })), onSome: Effect.succeed })
          yield* record(payload.parentId !== undefined && payload.parentId !== unit.parentId ? "org_unit.move" : "org_unit.rename", path.id, { from: { name: unit.name, parentId: unit.parentId }, to: payload })
          return result
        })
      )
      .handle("retire", ({ path }) =>
        Effect.gen(function* () {
          yield* find(path.id)
          const retired = yield* Effect.flatMap(units.setRetired(path.id, true), Option.match({ onNone: () => Effect.fail(new NotFound({ resource: "org_unit" })), onSome: Effect.succeed }))
          yield* record("org_unit.retire", path.id, {})
          return retired
        })
      )
      .handle("restore", ({ path }) =>
        Effect.gen(function* () {
          const unit = yield* find(path.id)
          if (unit.parentId !== null) {
            const parent = yield* find(unit.parentId)
            if (parent.retiredAt !== null) return yield* new Conflict({ reason: "restore the parent unit first" })
          }
          const restored = yield* uniqueName(units.setRetired(path.id, false))
          yield* record("org_unit.restore", path.id, {})
          return yield* Option.match(restored, { onNone: () => Effect.fail(new NotFound({ resource: "org_unit" })), onSome: Effect.succeed })
        })
      )
      .handle("remove", ({ path }) =>
        Effect.gen(function* () {
          const unit = yield* find(path.id)
          const usage = yield* units.usage(path.id)
          if (usage.members > 0 || usage.children > 0) return yield* new OrgUnitInUse(usage)
          yield* units.remove(path.id)
          yield* record("org_unit.delete", path.id, { name: unit.name, kind: unit.kind })
        })
      )
  })
)
