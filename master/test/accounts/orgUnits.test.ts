/**
 * The org tree under admin control: three levels (organization → company → project department),
 * unique sibling names, rename, move, retire/restore, delete only when empty.
 */
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import {
  approvedUser,
  asAdmin,
  call,
  createOrgTree,
  createOrgUnit,
  expectError,
  issuePaths,
  type Json,
  masterLayer,
  obj,
  registerUser,
  unique
} from "../fixtures.js"

const publicIds = Effect.map(call("GET", "/api/v1/org-units"), (reply) => (reply.body as ReadonlyArray<Json>).map((unit) => unit["id"]))

layer(masterLayer(), { timeout: 120_000, excludeTestServices: true })("org tree administration", (it) => {
  it.effect("builds the three levels and refuses a unit at the wrong level", () =>
    Effect.gen(function* () {
      const tree = yield* createOrgTree
      const bad: Array<[Json, string]> = [
        [{ kind: "company", parentId: null, name: unique("c ") }, "parentId"],
        [{ kind: "project_department", parentId: tree.organizationId, name: unique("d ") }, "parentId"],
        [{ kind: "company", parentId: tree.companyId, name: unique("c ") }, "parentId"],
        [{ kind: "organization", parentId: tree.organizationId, name: unique("o ") }, "parentId"],
        [{ kind: "project_department", parentId: tree.departmentId, name: unique("d ") }, "parentId"],
        [{ kind: "team", parentId: tree.companyId, name: unique("t ") }, "kind"],
        [{ kind: "company", parentId: tree.organizationId, name: "" }, "name"]
      ]
      for (const [json, path] of bad) expect(issuePaths(yield* asAdmin("POST", "/api/v1/admin/org-units", { json })), JSON.stringify(json)).toContain(path)
    })
  )

  it.effect("refuses a second sibling with the same name, whatever its case, with 409 CONFLICT", () =>
    Effect.gen(function* () {
      const tree = yield* createOrgTree
      const name = unique("Dept ")
      yield* createOrgUnit("project_department", tree.companyId, name)
      const clash = yield* asAdmin("POST", "/api/v1/admin/org-units", { json: { kind: "project_department", parentId: tree.companyId, name: name.toUpperCase() } })
      expectError(clash, 409, "CONFLICT")
      // the same name under another company is fine
      const other = yield* createOrgUnit("company", tree.organizationId)
      yield* createOrgUnit("project_department", other, name)
    })
  )

  it.effect("renames a unit and moves a department to another company, but not under an organization", () =>
    Effect.gen(function* () {
      const tree = yield* createOrgTree
      const renamed = obj(yield* asAdmin("PATCH", `/api/v1/admin/org-units/${tree.departmentId}`, { json: { name: "Firmware", nameEn: "Firmware" } }))
      expect(renamed["name"]).toBe("Firmware")
      const company = yield* createOrgUnit("company", tree.organizationId)
      const moved = obj(yield* asAdmin("PATCH", `/api/v1/admin/org-units/${tree.departmentId}`, { json: { parentId: company } }))
      expect(moved["parentId"]).toBe(company)
      expect(issuePaths(yield* asAdmin("PATCH", `/api/v1/admin/org-units/${tree.departmentId}`, { json: { parentId: tree.organizationId } }))).toContain("parentId")
    })
  )

  it.effect("retires a unit out of the public tree and restores it", () =>
    Effect.gen(function* () {
      const tree = yield* createOrgTree
      const retired = obj(yield* asAdmin("POST", `/api/v1/admin/org-units/${tree.departmentId}/retire`))
      expect(retired["retiredAt"]).not.toBeNull()
      expect(yield* publicIds).not.toContain(tree.departmentId)
      const admin = (yield* asAdmin("GET", "/api/v1/admin/org-units")).body as ReadonlyArray<{ unit: Json }>
      expect(admin.find((row) => row.unit["id"] === tree.departmentId)?.unit["retiredAt"]).not.toBeNull()
      const restored = obj(yield* asAdmin("POST", `/api/v1/admin/org-units/${tree.departmentId}/restore`))
      expect(restored["retiredAt"]).toBeNull()
      expect(yield* publicIds).toContain(tree.departmentId)
    })
  )

  it.effect("counts members and children, and refuses to delete a unit in use with 409 ORG_UNIT_IN_USE", () =>
    Effect.gen(function* () {
      const tree = yield* createOrgTree
      yield* registerUser({ orgUnitId: tree.departmentId })
      const rows = (yield* asAdmin("GET", "/api/v1/admin/org-units")).body as ReadonlyArray<{ unit: Json; members: number; children: number }>
      expect(rows.find((row) => row.unit["id"] === tree.departmentId)).toMatchObject({ members: 1, children: 0 })
      expect(rows.find((row) => row.unit["id"] === tree.companyId)).toMatchObject({ children: 1 })
      const busy = expectError(yield* asAdmin("DELETE", `/api/v1/admin/org-units/${tree.departmentId}`), 409, "ORG_UNIT_IN_USE")
      expect(busy["members"]).toBe(1)
      expect(expectError(yield* asAdmin("DELETE", `/api/v1/admin/org-units/${tree.companyId}`), 409, "ORG_UNIT_IN_USE")["children"]).toBe(1)
      const empty = yield* createOrgUnit("project_department", tree.companyId)
      expect((yield* asAdmin("DELETE", `/api/v1/admin/org-units/${empty}`)).status).toBe(204)
      expect(yield* publicIds).not.toContain(empty)
    })
  )

  it.effect("keeps the tree's administration to admins", () =>
    Effect.gen(function* () {
      const account = yield* approvedUser()
      const token = account.session.accessToken
      expectError(yield* call("GET", "/api/v1/admin/org-units", { token }), [401, 403], ["UNAUTHENTICATED", "FORBIDDEN"])
      expectError(
        yield* call("POST", "/api/v1/admin/org-units", { token, json: { kind: "organization", parentId: null, name: unique("o ") } }),
        [401, 403],
        ["UNAUTHENTICATED", "FORBIDDEN"]
      )
      expectError(yield* call("POST", "/api/v1/admin/org-units", { json: { kind: "organization", parentId: null, name: unique("o ") } }), 401, "UNAUTHENTICATED")
    })
  )
})
