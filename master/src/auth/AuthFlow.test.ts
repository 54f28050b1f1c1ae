import { HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { expect, layer } from "@effect/vitest"
import { NcodApi } from "@ncod/core"
import { Effect, Layer } from "effect"
import { TestMaster, testHttpClientLayer, testMasterLayer } from "../testing/TestMaster.js"

const clientWith = (token?: string) =>
  Effect.gen(function* () {
    const master = yield* TestMaster
    return yield* HttpApiClient.make(NcodApi, {
      baseUrl: master.url,
      ...(token ? { transformClient: HttpClient.mapRequest(HttpClientRequest.bearerToken(token)) } : {})
    })
  })

layer(Layer.provideMerge(testHttpClientLayer, testMasterLayer()), { timeout: 120_000 })("signing up and being approved", (it) => {
  it.effect("takes a new user from registration through approval to the fleet routes", () =>
    Effect.gen(function* () {
      const master = yield* TestMaster
      const anonymous = yield* clientWith()
      const adminTokens = yield* anonymous.auth.login({ payload: { username: master.admin.username, password: master.admin.password, audience: "admin" } })
      const admin = yield* clientWith(adminTokens.accessToken)

      const org = yield* admin.adminOrgUnits.create({ payload: { kind: "organization", parentId: null, name: "测试集团", nameEn: "Test Group" } })
      const company = yield* admin.adminOrgUnits.create({ payload: { kind: "company", parentId: org.id, name: "测试公司", nameEn: null } })
      const department = yield* admin.adminOrgUnits.create({ payload: { kind: "project_department", parentId: company.id, name: "一部", nameEn: null } })
      const tree = yield* anonymous.orgUnits.tree()
      expect(tree.map((unit) => unit.id)).toEqual(expect.arrayContaining([org.id, company.id, department.id]))

      const registered = yield* anonymous.auth.register({
        payload: { username: "wang.fang", displayName: "王芳", email: "wang.fang@example.com", phone: null, password: "sunny meadow 2026", orgUnitId: department.id }
      })
      expect(registered.status).toBe("pending")

      const pendingTokens = yield* anonymous.auth.login({ payload: { username: "wang.fang", password: "sunny meadow 2026", audience: "portal" } })
      const pending = yield* clientWith(pendingTokens.accessToken)
      const profile = yield* pending.me.profile()
      expect(profile.orgPath.map((unit) => unit.name)).toEqual(["测试集团", "测试公司", "一部"])
      const blocked = yield* Effect.flip(pending.myMachines.list())
      expect(blocked._tag).toBe("AccountPending")

      const approved = yield* admin.adminUsers.approve({ path: { id: registered.id } })
      expect(approved.status).toBe("approved")
      expect(yield* pending.myMachines.list()).toEqual([])

      const refreshed = yield* anonymous.auth.refresh({ payload: { refreshToken: pendingTokens.refreshToken } })
      const reused = yield* Effect.flip(anonymous.auth.refresh({ payload: { refreshToken: pendingTokens.refreshToken } }))
      expect(reused._tag).toBe("Unauthenticated")
      const familyRevoked = yield* Effect.flip(anonymous.auth.refresh({ payload: { refreshToken: refreshed.refreshToken } }))
      expect(familyRevoked._tag).toBe("Unauthenticated")

      const audit = yield* admin.adminAudit.list({ urlParams: { action: "user." } })
      expect(audit.items.map((event) => event.action)).toEqual(expect.arrayContaining(["user.register", "user.approve"]))
    })
  )
})
