import { type MachinePublicKey, type OrgUnitId } from "@ncod/core"
import { Effect } from "effect"
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto"
import { adminApi, apiClient } from "./FleetFixtures.js"

/** A user's PC as the ncod client presents it: MAC addresses and a P-256 machine key. */
export interface TestMachine {
  readonly macs: ReadonlyArray<string>
  readonly hostname: string
  readonly publicKey: MachinePublicKey
  readonly privateKey: KeyObject
}

export const makeMachine = (mac: string, hostname = "pc-test"): TestMachine => {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" })
  const jwk = publicKey.export({ format: "jwk" }) as { x: string; y: string }
  return { macs: [mac], hostname, publicKey: { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y }, privateKey }
}

/** Signs in as the CLI does: fetch a challenge, sign it with the machine key, send password and MACs. */
export const clientLogin = (username: string, password: string, machine: TestMachine) =>
  Effect.gen(function* () {
    const anonymous = yield* apiClient()
    const { challenge } = yield* anonymous.auth.clientChallenge()
    const signature = sign("sha256", Buffer.from(challenge), { key: machine.privateKey, dsaEncoding: "ieee-p1363" }).toString("base64url")
    return yield* anonymous.auth.clientLogin({
      payload: { username, password, macs: machine.macs, hostname: machine.hostname, publicKey: machine.publicKey, challenge, signature }
    })
  })

/** The first client login asks for the machine; an admin approves it; the second login works. */
export const approvedClientLogin = (username: string, password: string, machine: TestMachine) =>
  Effect.gen(function* () {
    const first = yield* Effect.either(clientLogin(username, password, machine))
    if (first._tag === "Right") return first.right
    if (first.left._tag !== "MachinePending") return yield* Effect.fail(first.left)
    const admin = yield* adminApi
    const pending = yield* admin.adminMachines.list({ urlParams: { status: "pending" } })
    const mine = pending.find((entry) => entry.username === username && machine.macs.includes(entry.machine.mac))
    if (!mine) return yield* Effect.die(`no pending machine for ${username}`)
    yield* admin.adminMachines.approve({ path: { id: mine.machine.id } })
    return yield* clientLogin(username, password, machine)
  })

/** Creates an org path and an approved user in its department; returns the department id. */
export const approvedUser = (username: string, password: string, departmentId?: OrgUnitId) =>
  Effect.gen(function* () {
    const admin = yield* adminApi
    let department = departmentId
    if (department === undefined) {
      const org = yield* admin.adminOrgUnits.create({ payload: { kind: "organization", parentId: null, name: `Org ${username}`, nameEn: null } })
      const company = yield* admin.adminOrgUnits.create({ payload: { kind: "company", parentId: org.id, name: `Co ${username}`, nameEn: null } })
      department = (yield* admin.adminOrgUnits.create({ payload: { kind: "project_department", parentId: company.id, name: `Dept ${username}`, nameEn: null } })).id
    }
    const anonymous = yield* apiClient()
    const user = yield* anonymous.auth.register({
      payload: { username, displayName: `User ${username}`, email: `${username}@example.com`, phone: null, password, orgUnitId: department }
    })
    yield* admin.adminUsers.approve({ path: { id: user.id } })
    return { user, departmentId: department }
  })
