import type { OrgUnitId, UserId } from "@ncod/core"
import { Effect } from "effect"
import { generateKeyPairSync, randomBytes, sign } from "node:crypto"
import { adminApi, api, type MasterProcess } from "./MasterProcess.js"

export interface Person {
  readonly username: string
  readonly userId: UserId
  /** A client-audience session, as the `ncod` CLI gets it on an approved machine. */
  readonly client: Effect.Effect.Success<ReturnType<typeof api>>
}

/**
 * A user as the real flow makes one: registration, admin approval, then the CLI sign-in on a
 * machine (the first sign-in files the machine for approval, the admin approves it, the second
 * sign-in succeeds).
 */
export const approvedPerson = (master: MasterProcess, username: string) =>
  Effect.gen(function* () {
    const admin = yield* adminApi(master)
    const password = `pw ${randomBytes(9).toString("base64url")} ok`
    const org = yield* admin.adminOrgUnits.create({ payload: { kind: "organization", parentId: null, name: `Org ${username}`, nameEn: null } })
    const company = yield* admin.adminOrgUnits.create({ payload: { kind: "company", parentId: org.id, name: `Co ${username}`, nameEn: null } })
    const department = yield* admin.adminOrgUnits.create({ payload: { kind: "project_department", parentId: company.id, name: `Dept ${username}`, nameEn: null } })
    const anonymous = yield* api(master)
    const user = yield* anonymous.auth.register({
      payload: { username, displayName: `User ${username}`, email: `${username}@example.com`, phone: null, password, orgUnitId: department.id as OrgUnitId }
    })
    yield* admin.adminUsers.approve({ path: { id: user.id } })

    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" })
    const jwk = publicKey.export({ format: "jwk" }) as { x: string; y: string }
    const mac = `02:${randomBytes(5).toString("hex").match(/../g)!.join(":")}`
    const login = Effect.gen(function* () {
      const { challenge } = yield* anonymous.auth.clientChallenge()
      const signature = sign("sha256", Buffer.from(challenge), { key: privateKey, dsaEncoding: "ieee-p1363" }).toString("base64url")
      return yield* anonymous.auth.clientLogin({
        payload: { username, password, macs: [mac], hostname: `${username}-pc`, publicKey: { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y }, challenge, signature }
      })
    })
    const first = yield* Effect.either(login)
    if (first._tag === "Left") {
      if (first.left._tag !== "MachinePending") return yield* Effect.die(first.left)
      const pending = yield* admin.adminMachines.list({ urlParams: { status: "pending" } })
      const mine = pending.find((entry) => entry.username === username && entry.machine.mac === mac)
      if (mine === undefined) return yield* Effect.die(new Error(`no pending machine for ${username}`))
      yield* admin.adminMachines.approve({ path: { id: mine.machine.id } })
    }
    const tokens = first._tag === "Right" ? first.right : yield* login
    return { username, userId: user.id, client: yield* api(master, tokens.accessToken) } satisfies Person
  })
