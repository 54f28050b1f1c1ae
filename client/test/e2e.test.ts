/**
 * End-to-end (issue 7): the real master (its own process, real PostgreSQL through DATABASE_URL, a
 * throwaway database), the real slave agent `ncod-slave run` with the real authorization hook
 * `ncod-slave-hook` as the ClientAuthorization of a simulated licensed vhusbd (enforced mode),
 * two approved users on their own simulated PCs (own VirtualHere client daemon and FIFOs, own
 * `NCOD_CLIENT_HOME`, `NCOD_VH_CLIENT_ID` = that daemon's identity), and the real `ncod` CLI.
 * The world is built in `e2e-support.ts` from the slave's and the client's test harnesses.
 *
 * Every assertion reads real state: the simulated vhusbd's bindings, the master's lease rows
 * through the admin API, the agent's log lines (hook decisions, grants), and the CLI's exit codes
 * and output. Waits are deadlines on those, never bare sleeps.
 */
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { E2E, e2eWorldLayer, hookDecisions } from "./e2e-support.js"
import { boundTo, ClientWorld, ctrlC, deviceIdFor, eventually, leasesOf, ncod, startNcod } from "./harness.js"

const KEEPALIVE_SECONDS = 2 // the master suspends a silent client's lease after 2× this
const GRACE_SECONDS = 30 // and ends it this long after the suspension

/** Everything the agent logged, for a failure message. */
const agentLog = Effect.map(E2E, (e2e) => e2e.agent.lines.map((line) => JSON.stringify(line.json)).join("\n"))

const openLease = (deviceId: string) => Effect.map(leasesOf(deviceId), (leases) => leases.find((lease) => lease.endedAt === null))
const leaseById = (deviceId: string, leaseId: string) => Effect.map(leasesOf(deviceId), (leases) => leases.find((lease) => lease.id === leaseId))

/** Waits (with a deadline) until `check` holds; returns the ms from `origin` to when it was seen. */
const sinceWhen = <R>(origin: number, check: Effect.Effect<boolean, never, R>, timeoutMs: number) =>
  Effect.map(eventually(check, timeoutMs, 100), () => Date.now() - origin)

layer(e2eWorldLayer({ keepAliveSeconds: KEEPALIVE_SECONDS, graceSeconds: GRACE_SECONDS }), { timeout: 300_000, excludeTestServices: true })(
  "end to end: master + PostgreSQL + slave agent and hook + simulated VirtualHere + the ncod CLI",
  (it) => {
    it.scoped(
      "an approved user connects and vhusbd binds the device to that client; a second user is refused with the holder named; a direct USE without the lease is denied by the hook",
      () =>
        Effect.gen(function* () {
          const e2e = yield* E2E
          const { ann, bob, agent, site } = e2e
          const device = yield* deviceIdFor("1-1.2")
          expect(device.vhAddress).toBe(`${e2e.slaveName}.112`)

          // 1. Ann connects: bound to Ann's client id at vhusbd, the hook allowed it, the lease is active
          const started = Date.now()
          const holder = yield* startNcod(ann, ["connect", device.vhAddress])
          yield* Effect.promise(() => holder.waitFor(/connected: /, 30_000))
          const connectMillis = Date.now() - started
          expect(yield* boundTo("1-1.2")).toBe("Ann Lee (ann)")
          expect(ann.daemon.clientId).toBe("Ann Lee (ann)")
          const lease = yield* openLease(device.id)
          expect(lease).toMatchObject({ state: "active", clientIdentity: "Ann Lee (ann)", endedAt: null })
          expect(ann.daemon.commandLog).toContain(`MANUAL HUB ADD,${e2e.hub}`)
          const annAllowed = hookDecisions(agent, started, "Ann Lee (ann)")
          expect(annAllowed, yield* agentLog).toEqual([expect.objectContaining({ allow: true, reason: "lease holder", leaseId: lease!.id, busPath: "1-1.2" })])
          expect(agent.lines.some((line) => line.json["msg"] === "grant added" && line.json["leaseId"] === lease!.id && line.json["clientIdentity"] === "Ann Lee (ann)")).toBe(true)
          // the master learns the binding from the agent's next report
          yield* eventually(
            ClientWorld.pipe(
              Effect.flatMap((world) => world.admin.inventory.devices({ urlParams: { slaveId: e2e.slaveId as never, limit: 50 } })),
              Effect.map((page) => page.items.some((view) => view.device.id === device.id && view.device.boundClient === "Ann Lee (ann)")),
              Effect.orDie
            ),
            10_000,
            200
          )

          // 2. Bob asks for the same device: exit 5, Ann named as the holder, nothing sent to Bob's VirtualHere client
          const refused = yield* ncod(bob, ["connect", device.vhAddress])
          expect(refused.code, refused.stdout + refused.stderr).toBe(5)
          expect(refused.stderr).toContain("Ann Lee (ann)")
          expect(bob.daemon.commandLog.filter((line) => line.startsWith("USE"))).toEqual([])
          expect((yield* leasesOf(device.id)).filter((l) => l.endedAt === null).map((l) => l.id)).toEqual([lease!.id])

          // 3. Bob's VirtualHere client goes around ncod: adds the slave's hub and sends USE itself
          const bob3 = Date.now()
          const use = (line: string) => Effect.promise(() => bob.daemon.execute(line))
          expect((yield* use(`MANUAL HUB ADD,${e2e.hub}`)).trim()).toBe("OK")
          yield* eventually(Effect.map(use("LIST"), (list) => list.includes(device.vhAddress)), 10_000, 100)
          //   a) while Ann is bound: vhusbd refuses (in use), the device stays Ann's
          expect(yield* use(`USE,${device.vhAddress}`)).not.toMatch(/^OK/)
          expect(yield* use(`USE,${device.vhAddress},madeUpPassword1`)).not.toMatch(/^OK/)
          expect(yield* boundTo("1-1.2")).toBe("Ann Lee (ann)")
          //   b) the device momentarily unbound while Ann still holds the lease (her VirtualHere
          //      client stops answering, the server kicks the binding): now vhusbd asks the hook,
          //      and the hook denies Bob, with and without a made-up password
          yield* Effect.promise(() => ann.daemon.stopListening())
          yield* Effect.promise(() => site.server.kick(112))
          expect(yield* boundTo("1-1.2")).toBeNull()
          const denyFrom = Date.now()
          expect(yield* use(`USE,${device.vhAddress}`)).not.toMatch(/^OK/)
          expect(yield* use(`USE,${device.vhAddress},madeUpPassword1`)).not.toMatch(/^OK/)
          expect(yield* boundTo("1-1.2")).toBeNull()
          expect(hookDecisions(agent, denyFrom, "Bob Roe (bob)").map((d) => [d.allow, d.reason, d.leaseId, d.busPath]), yield* agentLog).toEqual([
            [false, "the device is leased to another client", lease!.id, "1-1.2"],
            [false, "the device is leased to another client", lease!.id, "1-1.2"]
          ])
          //   c) a device nobody leased: the hook denies too
          const free = yield* deviceIdFor("1-1.3")
          const freeFrom = Date.now()
          expect(yield* use(`USE,${free.vhAddress}`)).not.toMatch(/^OK/)
          expect(yield* use(`USE,${free.vhAddress},madeUpPassword2`)).not.toMatch(/^OK/)
          expect(yield* boundTo("1-1.3")).toBeNull()
          expect(hookDecisions(agent, freeFrom, "Bob Roe (bob)").map((d) => [d.allow, d.reason, d.busPath])).toEqual([
            [false, "no lease for this device", "1-1.3"],
            [false, "no lease for this device", "1-1.3"]
          ])
          // nothing ever allowed Bob, and no log line carries what he sent as a password
          expect(hookDecisions(agent, bob3, "Bob Roe (bob)").filter((d) => d.allow)).toEqual([])
          expect(JSON.stringify(agent.lines)).not.toContain("madeUpPassword")

          // Ann's VirtualHere client answers again: her `ncod connect` binds the device back (fresh one-time password)
          const resumed = Date.now()
          yield* Effect.promise(() => ann.daemon.resumeListening())
          const reboundAfter = yield* sinceWhen(resumed, Effect.map(boundTo("1-1.2"), (who) => who === "Ann Lee (ann)"), 20_000)
          yield* Effect.promise(() => holder.waitFor(/is bound to this computer again/, 10_000))
          expect(hookDecisions(agent, resumed, "Ann Lee (ann)").some((d) => d.allow && d.leaseId === lease!.id)).toBe(true)
          expect(yield* leaseById(device.id, lease!.id)).toMatchObject({ state: "active", endedAt: null })

          // Ctrl+C releases: unbound at vhusbd, the lease ended (released), the grant revoked at the agent
          yield* ctrlC(holder)
          expect((yield* Effect.promise(() => holder.exited)).code).toBe(0)
          expect(yield* boundTo("1-1.2")).toBeNull()
          expect(yield* leaseById(device.id, lease!.id)).toMatchObject({ state: "ended", endReason: "released" })
          yield* Effect.promise(() => agent.waitFor("grant revoked", (line) => line.json["msg"] === "grant revoked" && line.json["leaseId"] === lease!.id, 10_000))
          console.log(`e2e connect: ${connectMillis} ms from starting \`ncod connect\` to bound and active; Ann bound again ${reboundAfter} ms after her client answered again`)
        }),
      180_000
    )

    it.scoped(
      "unplugging the device at the slave ends the lease (device_removed) and the holder's ncod connect says so within 5 s",
      () =>
        Effect.gen(function* () {
          const { ann, agent, site } = yield* E2E
          const device = yield* deviceIdFor("1-1.2")
          const holder = yield* startNcod(ann, ["connect", device.vhAddress])
          yield* Effect.promise(() => holder.waitFor(/connected: /, 30_000))
          expect(yield* boundTo("1-1.2")).toBe("Ann Lee (ann)")
          const lease = (yield* openLease(device.id))!
          expect(lease).toMatchObject({ state: "active", clientIdentity: "Ann Lee (ann)" })

          const unpluggedAt = Date.now()
          yield* Effect.promise(() => site.server.unplug("1-1.2"))
          const exit = yield* Effect.promise(() => holder.exited)
          const millis = exit.at - unpluggedAt
          expect(exit.code, holder.output()).toBe(5)
          expect(holder.output()).toMatch(/lease ended \(device_removed\): the device was unplugged from its slave/)
          expect(millis).toBeLessThanOrEqual(5_000)
          // the real state behind the message: the agent saw the device go, the master ended the lease and revoked the grant
          const seen = yield* Effect.promise(() => agent.waitFor("device unplugged", (line) => line.json["msg"] === "device unplugged" && line.at >= unpluggedAt, 5_000))
          expect(yield* leaseById(device.id, lease.id)).toMatchObject({ state: "ended", endReason: "device_removed" })
          yield* Effect.promise(() => agent.waitFor("grant revoked", (line) => line.json["msg"] === "grant revoked" && line.json["leaseId"] === lease.id, 5_000))
          expect(site.server.listDevices().some((d) => d.busPath === "1-1.2")).toBe(false)
          console.log(`e2e unplug: agent saw it after ${seen.at - unpluggedAt} ms; \`ncod connect\` exited (5, device_removed) ${millis} ms after the unplug (limit 5000 ms)`)
        }),
      120_000
    )

    it.scoped(
      "a network cut between the user's PC and both the master and the slave, shorter than the grace period: the lease is suspended, then active again, and the device is bound to the user again",
      () =>
        Effect.gen(function* () {
          const e2e = yield* E2E
          const { ann, agent } = e2e
          const device = yield* deviceIdFor("1-1.3")
          const holder = yield* startNcod(ann, ["connect", device.vhAddress])
          yield* Effect.promise(() => holder.waitFor(/connected: /, 30_000))
          expect(yield* boundTo("1-1.3")).toBe("Ann Lee (ann)")
          const leaseId = (yield* openLease(device.id))!.id
          const lease = Effect.map(leaseById(device.id, leaseId), (l) => l!)
          expect(yield* lease).toMatchObject({ state: "active", clientIdentity: "Ann Lee (ann)" })

          // cut Ann's PC off: the path to the master and the VirtualHere path to the slave's vhusbd
          const cutAt = Date.now()
          yield* Effect.promise(() => Promise.all([e2e.masterProxy.cut(), e2e.vhProxy.cut()]))
          // vhusbd drops the vanished client's binding; the master suspends the silent client's lease and withdraws the grant
          // (both watched at once, each time measured from the cut)
          const [unboundAfter, suspendedAfter] = yield* Effect.all(
            [
              sinceWhen(cutAt, Effect.map(boundTo("1-1.3"), (who) => who === null), 10_000),
              sinceWhen(cutAt, Effect.map(lease, (l) => l.state === "suspended"), 4 * KEEPALIVE_SECONDS * 1000 + 5_000)
            ],
            { concurrency: "unbounded" }
          )
          // Ann's ncod noticed both: the VirtualHere client no longer sees the device, the master is unreachable
          yield* Effect.promise(() => holder.waitFor(/VirtualHere no longer sees/, 10_000))
          yield* Effect.promise(() => agent.waitFor("grant revoked", (line) => line.json["msg"] === "grant revoked" && line.json["leaseId"] === leaseId && line.at >= cutAt, 5_000))
          yield* Effect.promise(() => holder.waitFor(/master unreachable/, 10_000))
          expect(holder.child.exitCode).toBeNull()

          // restore before the grace period is over
          const restoredAt = Date.now()
          const outage = restoredAt - cutAt
          expect(outage).toBeLessThan(GRACE_SECONDS * 1000)
          yield* Effect.promise(() => Promise.all([e2e.masterProxy.restore(), e2e.vhProxy.restore()]))
          // the keeper may send USE before its keep-alive resumed the lease: the grant is still
          // withdrawn, the hook denies, and the keeper retries (a refused bind costs it ~4 s plus
          // jitter), so binding again can take several seconds after the lease is active
          const [resumedAfter, reboundAfter] = yield* Effect.all(
            [
              sinceWhen(restoredAt, Effect.map(lease, (l) => l.state === "active"), 20_000),
              sinceWhen(restoredAt, Effect.map(boundTo("1-1.3"), (who) => who === "Ann Lee (ann)"), 30_000)
            ],
            { concurrency: "unbounded" }
          )
          yield* Effect.promise(() => holder.waitFor(/master reachable again/, 10_000))
          yield* Effect.promise(() => holder.waitFor(/bound to this computer again/, 10_000))
          expect(yield* lease).toMatchObject({ state: "active", endedAt: null, clientIdentity: "Ann Lee (ann)" })
          // the grant came back to the agent and the hook allowed the new bind for this lease
          expect(agent.lines.some((line) => line.json["msg"] === "grant added" && line.json["leaseId"] === leaseId && line.at >= restoredAt)).toBe(true)
          expect(hookDecisions(agent, restoredAt, "Ann Lee (ann)").some((d) => d.allow && d.leaseId === leaseId)).toBe(true)
          expect(holder.child.exitCode).toBeNull()

          const tries = hookDecisions(agent, restoredAt, "Ann Lee (ann)").map((d) => `${d.at - restoredAt} ms ${d.allow ? "allowed" : `denied (${d.reason})`}`)
          const granted = agent.lines.find((line) => line.json["msg"] === "grant added" && line.json["leaseId"] === leaseId && line.at >= restoredAt)!
          console.log(
            `e2e network cut: after the restore the grant reached the agent at ${granted.at - restoredAt} ms; Ann's binds: ${tries.join(", ")}`
          )
          console.log(
            `e2e network cut: vhusbd unbound ${unboundAfter} ms and the lease suspended ${suspendedAfter} ms after the cut; ` +
              `restored after ${outage} ms (grace ${GRACE_SECONDS} s); lease active ${resumedAfter} ms and the device bound to Ann again ${reboundAfter} ms after the restore`
          )
          yield* ctrlC(holder)
          expect((yield* Effect.promise(() => holder.exited)).code).toBe(0)
          expect(yield* boundTo("1-1.3")).toBeNull()
          expect(yield* lease).toMatchObject({ state: "ended", endReason: "released" })
        }),
      120_000
    )
  }
)
