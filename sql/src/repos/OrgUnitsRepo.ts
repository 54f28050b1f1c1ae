import { SqlClient } from "@effect/sql"
import { OrgUnit, type OrgUnitId, type OrgUnitKind } from "@ncod/core"
import { Effect, Option, Schema } from "effect"

const columns = "id, kind, parent_id, name, name_en, retired_at, created_at"

export interface OrgUnitChanges {
  readonly name?: string | undefined
  readonly nameEn?: string | null | undefined
  readonly parentId?: OrgUnitId | undefined
}

export interface NewOrgUnitRow {
  readonly kind: OrgUnitKind
  readonly parentId: OrgUnitId | null
  readonly name: string
  readonly nameEn: string | null
}

const WithCounts = Schema.Struct({ ...OrgUnit.fields, members: Schema.Int, children: Schema.Int })

/** The organization → company → project department tree. */
export class OrgUnitsRepo extends Effect.Service<OrgUnitsRepo>()("@ncod/sql/OrgUnitsRepo", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const cols = sql.unsafe(columns)
    const decodeRows = Schema.decodeUnknown(Schema.Array(OrgUnit))
    const one = (rows: ReadonlyArray<unknown>) =>
      Effect.map(decodeRows(rows), (units) => Option.fromNullable(units[0]))

    /** Active units whose every ancestor is active too: a retired company hides its departments. */
    const listActive = sql`
      with recursive live as (
        select ${cols}, 0 as depth from org_units where parent_id is null and retired_at is null
        union all
        select o.id, o.kind, o.parent_id, o.name, o.name_en, o.retired_at, o.created_at, live.depth + 1
        from org_units o join live on o.parent_id = live.id where o.retired_at is null and live.depth < 10
      )
      select ${cols} from live order by name`.pipe(Effect.flatMap(decodeRows))

    const listWithCounts = sql`
      select ${cols},
        (select count(*)::int from users u where u.org_unit_id = o.id) as members,
        (select count(*)::int from org_units c where c.parent_id = o.id) as children
      from org_units o order by name`.pipe(
      Effect.flatMap(Schema.decodeUnknown(Schema.Array(WithCounts))),
      Effect.map((rows) =>
        rows.map(({ children, members, ...unit }) => ({ unit: new OrgUnit(unit), members, children }))
      )
    )

    const findById = (id: OrgUnitId) => sql`select ${cols} from org_units where id = ${id}`.pipe(Effect.flatMap(one))

    /** The unit and its ancestors, root first (the path a profile shows). */
    const pathTo = (id: OrgUnitId) =>
      sql`
        with recursive up as (
          select ${cols}, 0 as depth from org_units where id = ${id}
          union all
          select o.id, o.kind, o.parent_id, o.name, o.name_en, o.retired_at, o.created_at, up.depth + 1
          from org_units o join up on o.id = up.parent_id where up.depth < 10
        )
        select ${cols} from up order by depth desc`.pipe(Effect.flatMap(decodeRows))

    /** The unit and every unit below it (grants to a unit cover its descendants). */
    const subtreeIds = (id: OrgUnitId) =>
      sql<{ id: OrgUnitId }>`
        with recursive down as (
          select id, 0 as depth from org_units where id = ${id}
          union all
          select o.id, down.depth + 1 from org_units o join down on o.parent_id = down.id where down.depth < 10
        )
        select id from down`.pipe(Effect.map((rows) => rows.map((row) => row.id)))

    const insert = (unit: NewOrgUnitRow) =>
      sql`insert into org_units ${sql.insert({ ...unit })} returning ${cols}`.pipe(Effect.flatMap(one), Effect.map(Option.getOrThrow))

    const update = (id: OrgUnitId, changes: OrgUnitChanges) => {
      const values = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined))
      return Object.keys(values).length === 0
        ? findById(id)
        : sql`update org_units set ${sql.update(values)} where id = ${id} returning ${cols}`.pipe(Effect.flatMap(one))
    }

    const setRetired = (id: OrgUnitId, retired: boolean) =>
      sql`update org_units set retired_at = ${retired ? sql`now()` : null} where id = ${id} returning ${cols}`.pipe(
        Effect.flatMap(one)
      )

    const usage = (id: OrgUnitId) =>
      sql<{ members: number; children: number }>`
        select (select count(*)::int from users where org_unit_id = ${id}) as members,
               (select count(*)::int from org_units where parent_id = ${id}) as children`.pipe(
        Effect.map((rows) => rows[0] ?? { members: 0, children: 0 })
      )

    const remove = (id: OrgUnitId) => sql`delete from org_units where id = ${id}`.pipe(Effect.asVoid)

    return {
      listActive: listActive.pipe(Effect.orDie, Effect.withSpan("OrgUnitsRepo.listActive")),
      listWithCounts: listWithCounts.pipe(Effect.orDie, Effect.withSpan("OrgUnitsRepo.listWithCounts")),
      findById: (id: OrgUnitId) => findById(id).pipe(Effect.orDie),
      pathTo: (id: OrgUnitId) => pathTo(id).pipe(Effect.orDie),
      subtreeIds: (id: OrgUnitId) => subtreeIds(id).pipe(Effect.orDie),
      insert: (unit: NewOrgUnitRow) => insert(unit).pipe(Effect.orDie, Effect.withSpan("OrgUnitsRepo.insert")),
      update: (id: OrgUnitId, changes: OrgUnitChanges) =>
        update(id, changes).pipe(Effect.orDie),
      setRetired: (id: OrgUnitId, retired: boolean) => setRetired(id, retired).pipe(Effect.orDie),
      usage: (id: OrgUnitId) => usage(id).pipe(Effect.orDie),
      remove: (id: OrgUnitId) => remove(id).pipe(Effect.orDie)
    }
  })
}) {}
