import { type DemoOrgUnit, demoOrgTree, demoSlaves, type OrgUnitId, type OrgUnitKind } from "@ncod/core"
import { runSimulatedSlave } from "@ncod/core/node"
import { EnrollmentTokensRepo, GrantsRepo, OrgUnitsRepo, SlavesRepo } from "@ncod/sql"
import { Duration, Effect, Option, Schedule } from "effect"
import { randomBytes } from "node:crypto"
import { hashEnrollmentToken } from "../fleet/SlaveAgentHandlers.js"

const kinds: ReadonlyArray<OrgUnitKind> = ["organization", "company", "project_department"]

/** Which organization each demo slave's devices are granted to. */
const grantedTo: Record<string, string> = {
  "lab-sh-01": "hx-tech",
  "lab-sh-02": "hx-tech",
  "lab-sz-01": "hx-auto",
  "lab-bj-01": "bj"
}

/** Creates the demo org tree once (only into an empty tree); returns the ids by demo key. */
const seedOrgTree = Effect.gen(function* () {
  const units = yield* OrgUnitsRepo
  const existing = yield* units.listActive
  const ids = new Map<string, OrgUnitId>()
  if (existing.length > 0) {
    for (const unit of existing) {
      const key = findKey(demoOrgTree, unit.name)
      if (key) ids.set(key, unit.id)
    }
    return ids
  }
  const plant = (nodes: ReadonlyArray<DemoOrgUnit>, parentId: OrgUnitId | null, depth: number): Effect.Effect<void> =>
    Effect.forEach(nodes, (node) =>
      Effect.gen(function* () {
        const unit = yield* units.insert({ kind: kinds[depth]!, parentId, name: node.name, nameEn: node.nameEn })
        ids.set(node.key, unit.id)
        if (node.children) yield* plant(node.children, unit.id, depth + 1)
      })
    ).pipe(Effect.asVoid)
  yield* plant(demoOrgTree, null, 0)
  return ids
})

const findKey = (nodes: ReadonlyArray<DemoOrgUnit>, name: string): string | undefined => {
  for (const node of nodes) {
    if (node.name === name) return node.key
    const below = node.children ? findKey(node.children, name) : undefined
    if (below) return below
  }
  return undefined
}

/** Grants each demo slave to its organization once the slave has enrolled. */
const grantWhenEnrolled = (orgIds: Map<string, OrgUnitId>) =>
  Effect.gen(function* () {
    const slaves = yield* SlavesRepo
    const grants = yield* GrantsRepo
    for (const demo of demoSlaves) {
      const enrolled = yield* slaves.findByFingerprint(`simulated-${demo.name}`).pipe(
        Effect.flatMap((found) => (Option.isSome(found) ? Effect.succeed(found.value) : Effect.fail("not yet" as const))),
        Effect.retry(Schedule.spaced(Duration.millis(500)).pipe(Schedule.upTo(Duration.seconds(60))))
      )
      const orgUnitId = orgIds.get(grantedTo[demo.name] ?? "")
      if (orgUnitId) yield* grants.insert({ _tag: "slave", slaveId: enrolled.id }, { _tag: "orgUnit", orgUnitId }, null)
    }
  })

/**
 * The demo world of `npm start`: the org tree, and simulated slaves that enroll with a real token
 * and report demo devices through the real HTTPS API, plugging and unplugging now and then.
 */
export const startDemoFleet = (baseUrl: string, ca: string | undefined) =>
  Effect.gen(function* () {
    const orgIds = yield* seedOrgTree
    const tokens = yield* EnrollmentTokensRepo
    const token = `nce_${randomBytes(24).toString("base64url")}`
    yield* tokens.insert({
      label: "demo fleet",
      maxUses: demoSlaves.length,
      expiresAt: new Date(Date.now() + 3600 * 1000),
      tokenHash: hashEnrollmentToken(token),
      createdBy: null
    })
    yield* Effect.forEach(
      demoSlaves,
      (demo, index) =>
        runSimulatedSlave({ baseUrl, ca, enrollmentToken: token, name: demo.name, index, deviceCount: 4 + (index % 3), churn: 0.05 }).pipe(
          Effect.catchAllCause((cause) => Effect.logWarning("demo slave stopped", cause)),
          Effect.forkScoped
        ),
      { discard: true }
    )
    yield* grantWhenEnrolled(orgIds).pipe(
      Effect.catchAllCause((cause) => Effect.logWarning("demo grants not made", cause)),
      Effect.forkScoped
    )
    return demoSlaves.length
  })
