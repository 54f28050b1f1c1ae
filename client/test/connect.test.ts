import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import { X509Certificate } from "node:crypto"
import * as path from "node:path"
import { boundTo, ClientWorld, clientWorldLayer, ctrlC, deviceIdFor, eventually, leasesOf, loginApproved, makeUser, ncod, startNcod } from "./harness.js"

const GRACE_SECONDS = 12

layer(clientWorldLayer({ graceSeconds: GRACE_SECONDS }), { timeout: 300_000, excludeTestServices: true })("ncod against a real master and the VirtualHere simulator", (it) => {
  it.scoped("signs in once the administrator approves the machine, shows who it is, and keeps its files private", () =>
    Effect.gen(function* () {
      const world = yield* ClientWorld
      const ann = yield* makeUser("ann", "Ann Lee")
      const args = ["login", "--master", world.proxyUrl, "--username", "ann", "--ca-file", world.caFile, "--password-stdin"]
      const first = yield* ncod(ann, args, `${ann.password}\n`)
      expect(first.code).toBe(4)
      expect(first.stdout).toMatch(/presenting MAC ([0-9a-f]{2}:){5}[0-9a-f]{2}/)
      expect(first.stderr).toMatch(/not approved|approval/i)
      const second = yield* loginApproved(ann)
      expect(second.stdout).toContain("Signed in as Ann Lee (ann)")
      const who = yield* ncod(ann, ["whoami", "--json"])
      expect(who.code).toBe(0)
      expect(JSON.parse(who.stdout)).toMatchObject({ username: "ann", displayName: "Ann Lee", status: "approved", master: world.proxyUrl })
      for (const file of ["session.json", "machine-key.json", "config.json", "master-ca.pem"]) {
        expect((fs.statSync(path.join(ann.home, file)).mode & 0o777).toString(8), file).toBe("600")
      }
      expect((fs.statSync(ann.home).mode & 0o777).toString(8)).toBe("700")
      // an access token the master no longer accepts is refreshed once, and the new one kept
      const sessionFile = path.join(ann.home, "session.json")
      const before = JSON.parse(fs.readFileSync(sessionFile, "utf8"))
      fs.writeFileSync(sessionFile, JSON.stringify({ ...before, accessToken: `${before.accessToken.slice(0, -4)}AAAA` }), { mode: 0o600 })
      const refreshed = yield* ncod(ann, ["whoami"])
      expect(refreshed.code).toBe(0)
      expect(refreshed.stdout).toContain("Ann Lee (ann)")
      const after = JSON.parse(fs.readFileSync(sessionFile, "utf8"))
      expect(after.refreshToken).not.toBe(before.refreshToken)
      const table = yield* ncod(ann, ["devices"])
      expect(table.stdout).toMatch(/SLAVE\s+DEVICE\s+VID:PID\s+SERIAL\s+ADDRESS\s+STATE\s+HOLDER/)
      expect(table.stdout).toMatch(/lab-1\s+FT232R USB UART\s+0403:6001\s+A50285BI\s+labhub\.112\s+available/)
      expect(table.stdout).not.toMatch(/\x1b\[/)
      const wrong = yield* ncod(ann, ["login", "--password-stdin"], "not the password at all\n")
      expect(wrong.code).toBe(4)
      expect(wrong.stderr).toContain("The username or password is wrong.")
      const out = yield* ncod(ann, ["logout"])
      expect(out.stdout).toContain("Signed out")
      expect(fs.existsSync(sessionFile)).toBe(false)
      expect((yield* ncod(ann, ["status"])).code).toBe(3)
    })
  , 300_000)

  it.scoped("connects: binds the device in VirtualHere with the one-time password, activates the lease, and disconnect from another terminal unbinds and releases", () =>
    Effect.gen(function* () {
      const world = yield* ClientWorld
      const bea = yield* makeUser("bea", "Bea Chen")
      yield* loginApproved(bea)
      const device = yield* deviceIdFor("1-1.2")
      const listed = yield* ncod(bea, ["devices", "--json"])
      expect(listed.code).toBe(0)
      expect(JSON.parse(listed.stdout).map((view: { device: { vhAddress: string } }) => view.device.vhAddress)).toContain(device.vhAddress)

      const started = Date.now()
      const holder = yield* startNcod(bea, ["connect", "FT232R USB UART"])
      yield* Effect.promise(() => holder.waitFor(/connected: /, 30_000))
      const connectMillis = Date.now() - started
      expect(yield* boundTo("1-1.2")).toBe("Bea Chen (bea)")
      const open = (yield* leasesOf(device.id)).find((lease) => lease.endedAt === null)
      expect(open).toMatchObject({ state: "active", clientIdentity: "Bea Chen (bea)" })
      // the hook saw the MD5 of the password the master granted for this lease
      const granted = world.slaveLink.flatMap((m) => (m._tag === "GrantAdded" && m.grant.leaseId === open!.id ? [m.grant.bindPasswordMd5] : []))
      expect(granted.length).toBeGreaterThan(0)
      expect(world.hookCalls()).toContain(`Bea Chen (bea)|${granted[granted.length - 1]}`)
      expect(bea.daemon.commandLog.some((line) => line.startsWith("MANUAL HUB ADD,127.0.0.1:"))).toBe(true)

      const status = yield* ncod(bea, ["status", "--json"])
      expect(JSON.parse(status.stdout).leases).toMatchObject([{ address: device.vhAddress, state: "active", boundHere: true }])

      const other = yield* ncod(bea, ["disconnect", device.vhAddress])
      expect(other.code).toBe(0)
      const exit = yield* Effect.promise(() => holder.exited)
      expect(exit.code).toBe(0)
      expect(holder.output()).toContain("lease ended (released)")
      expect(yield* boundTo("1-1.2")).toBeNull()
      expect((yield* leasesOf(device.id)).find((lease) => lease.id === open!.id)).toMatchObject({ state: "ended", endReason: "released" })
      console.log(`connect took ${connectMillis} ms (process start to bound and active)`)
    })
  , 300_000)

  it.scoped("refuses a second user, naming the holder; Ctrl+C in the holder's terminal stops using the device and releases it", () =>
    Effect.gen(function* () {
      const bea = yield* makeUser("bea2", "Bea Two")
      const fay = yield* makeUser("fay", "Fay Wong")
      yield* loginApproved(bea)
      yield* loginApproved(fay)
      const device = yield* deviceIdFor("1-1.2")
      const holder = yield* startNcod(bea, ["connect", device.vhAddress])
      yield* Effect.promise(() => holder.waitFor(/connected: /, 30_000))
      const refused = yield* ncod(fay, ["connect", device.vhAddress])
      expect(refused.code).toBe(5)
      expect(refused.stderr).toContain("Bea Two (bea2)")
      expect(yield* boundTo("1-1.2")).toBe("Bea Two (bea2)")
      expect(fay.daemon.commandLog.filter((line) => line.startsWith("USE"))).toEqual([])
      // the master's message comes in the user's language
      const chinese = yield* ncod(fay, ["connect", device.vhAddress], undefined, { LANG: "zh_CN.UTF-8" })
      expect(chinese.code).toBe(5)
      expect(chinese.stderr).toContain("该设备正由 Bea Two（bea2）使用")

      // the holder extends the lease; the other user queues and sees their place
      const renewed = yield* ncod(bea, ["renew", device.vhAddress, "--minutes", "30"])
      expect(renewed.code).toBe(0)
      expect(renewed.stdout).toMatch(/now ends at \d\d:\d\d/)
      const joined = yield* ncod(fay, ["queue", "join", device.vhAddress])
      expect(joined.code).toBe(0)
      expect(joined.stdout).toContain("position 1")
      const queue = yield* ncod(fay, ["queue", "--json"])
      expect(JSON.parse(queue.stdout)).toMatchObject([{ deviceId: device.id, position: 1, state: "waiting" }])

      const pressed = Date.now()
      yield* ctrlC(holder)
      const exit = yield* Effect.promise(() => holder.exited)
      expect(exit.code).toBe(0)
      expect(holder.output()).toContain("Released FT232R USB UART")
      expect(yield* boundTo("1-1.2")).toBeNull()
      const leases = yield* leasesOf(device.id)
      expect(leases.filter((lease) => lease.endedAt === null)).toEqual([])
      expect(leases[0]).toMatchObject({ endReason: "released" })
      console.log(`Ctrl+C to released and unbound: ${exit.at - pressed} ms`)
      // the freed device is held for the next in line
      yield* eventually(
        Effect.map(ncod(fay, ["queue", "--json"]), (result) => JSON.parse(result.stdout)[0]?.state === "offered"),
        20_000,
        500
      )
      const left = yield* ncod(fay, ["queue", "leave", device.vhAddress])
      expect(left.code).toBe(0)
      expect(JSON.parse((yield* ncod(fay, ["queue", "--json"])).stdout)).toEqual([])
    })
  , 300_000)

  it.scoped("rolls back a bind the slave refuses: no open lease, nothing bound, exit code 6", () =>
    Effect.gen(function* () {
      const world = yield* ClientWorld
      const eve = yield* makeUser("eve", "Eve Park")
      yield* loginApproved(eve)
      const device = yield* deviceIdFor("1-1.4")
      world.denyBinds(true)
      const result = yield* ncod(eve, ["connect", "STM32 STLink"]).pipe(Effect.ensuring(Effect.sync(() => world.denyBinds(false))))
      expect(result.code).toBe(6)
      expect(result.stderr).toMatch(/did not bind/)
      expect(eve.daemon.commandLog.some((line) => /^USE,labhub\.\d+,[A-Za-z0-9_-]{16}$/.test(line))).toBe(true)
      expect(yield* boundTo("1-1.4")).toBeNull()
      const leases = yield* leasesOf(device.id)
      expect(leases.filter((lease) => lease.endedAt === null)).toEqual([])
      expect(leases[0]).toMatchObject({ state: "ended", endReason: "bind_failed" })
      console.log(`refused bind rolled back in ${result.millis} ms (process start to exit)`)
    })
  , 300_000)

  it.scoped("asks for no lease when the VirtualHere client is not running", () =>
    Effect.gen(function* () {
      const gus = yield* makeUser("gus", "Gus Ito")
      yield* loginApproved(gus)
      const device = yield* deviceIdFor("1-1.4")
      yield* Effect.promise(() => gus.daemon.stopListening())
      const result = yield* ncod(gus, ["connect", device.vhAddress])
      expect(result.code).toBe(6)
      expect(result.stderr).toContain("VirtualHere client is not running")
      expect((yield* leasesOf(device.id)).filter((lease) => lease.endedAt === null)).toEqual([])
    })
  , 300_000)

  it.scoped("keeps the binding and the lease while the master is unreachable, binds again and resumes keep-alives when it returns", () =>
    Effect.gen(function* () {
      const world = yield* ClientWorld
      const carol = yield* makeUser("carol", "Carol Diaz")
      yield* loginApproved(carol)
      const device = yield* deviceIdFor("1-1.3")
      const holder = yield* startNcod(carol, ["connect", "J-Link"])
      yield* Effect.promise(() => holder.waitFor(/connected: /, 30_000))
      const leaseId = (yield* leasesOf(device.id)).find((lease) => lease.endedAt === null)!.id
      const state = Effect.map(leasesOf(device.id), (leases) => leases.find((lease) => lease.id === leaseId)!)

      const cutAt = Date.now()
      yield* Effect.promise(() => world.proxy.cut())
      const suspendedAfter = yield* eventually(Effect.map(state, (lease) => lease.state === "suspended"), 15_000, 200)
      yield* Effect.promise(() => holder.waitFor(/master unreachable/, 10_000))
      // the client keeps using the device all along
      expect(yield* boundTo("1-1.3")).toBe("Carol Diaz (carol)")
      // the VirtualHere binding drops while the master is away; a real slave refuses binds for a
      // suspended lease (its grant is withdrawn): binding again must wait for the network
      world.denyBinds(true)
      yield* Effect.promise(() => world.server.kick(world.server.listDevices().find((d) => d.busPath === "1-1.3")!.address))
      yield* Effect.sleep("2500 millis")
      expect(yield* boundTo("1-1.3")).toBeNull()
      const outage = Date.now() - cutAt
      expect(outage).toBeLessThan(GRACE_SECONDS * 1000)

      const restoredAt = Date.now()
      yield* Effect.promise(() => world.proxy.restore())
      world.denyBinds(false)
      const resumedAfter = yield* eventually(Effect.map(state, (lease) => lease.state === "active"), 15_000, 200)
      const reboundAfter = yield* eventually(Effect.map(boundTo("1-1.3"), (who) => who === "Carol Diaz (carol)"), 15_000, 200)
      yield* Effect.promise(() => holder.waitFor(/master reachable again/, 10_000))
      yield* Effect.promise(() => holder.waitFor(/bound to this computer again/, 10_000))
      const lease = yield* state
      expect(lease).toMatchObject({ state: "active", endedAt: null })
      // keep-alives go on: still active after another two suspension windows
      yield* Effect.sleep("5 seconds")
      expect(yield* state).toMatchObject({ state: "active" })
      expect(holder.child.exitCode).toBeNull()
      console.log(
        `network cut: lease suspended ${suspendedAfter} ms after the cut, outage ${outage + (Date.now() - restoredAt > 0 ? 0 : 0)} ms (< grace ${GRACE_SECONDS} s); ` +
          `after the proxy returned: lease active in ${resumedAfter} ms, device bound again in ${reboundAfter} ms`
      )
      yield* ctrlC(holder)
      expect((yield* Effect.promise(() => holder.exited)).code).toBe(0)
      expect(yield* boundTo("1-1.3")).toBeNull()
    })
  , 300_000)

  it.scoped("tells the holder within seconds when the device is unplugged at the slave, and exits with device_removed", () =>
    Effect.gen(function* () {
      const world = yield* ClientWorld
      const dan = yield* makeUser("dan", "Dan Roe")
      yield* loginApproved(dan)
      const device = yield* deviceIdFor("1-1.5")
      const holder = yield* startNcod(dan, ["connect", device.vhAddress])
      yield* Effect.promise(() => holder.waitFor(/connected: /, 30_000))
      const unpluggedAt = Date.now()
      yield* Effect.promise(() => world.server.unplug("1-1.5"))
      yield* world.reportNow
      const exit = yield* Effect.promise(() => holder.exited)
      const millis = exit.at - unpluggedAt
      expect(exit.code).toBe(5)
      expect(holder.output()).toMatch(/lease ended \(device_removed\): the device was unplugged from its slave/)
      expect(millis).toBeLessThan(5000)
      console.log(`unplug to \`ncod connect\` exiting with device_removed: ${millis} ms`)
    })
  , 300_000)

  it.scoped("trusts the master on first use after showing its fingerprint, and the pinned certificate serves HTTPS and the live events", () =>
    Effect.gen(function* () {
      const world = yield* ClientWorld
      const kim = yield* makeUser("kim", "Kim Park")
      const args = ["login", "--master", world.proxyUrl, "--username", "kim", "--password-stdin"]
      const asked = yield* ncod(kim, args, `${kim.password}\n`)
      expect(asked.code).toBe(2)
      expect(asked.stderr).toContain("--yes or --ca-file")
      expect(fs.existsSync(path.join(kim.home, "session.json"))).toBe(false)
      // server.crt is the full chain; the client pins its root, the CA the keys tool made
      const ca = new X509Certificate(fs.readFileSync(path.join(world.dir, "master/keys/ca.crt"))).fingerprint256
      const first = yield* ncod(kim, [...args, "--yes"], `${kim.password}\n`)
      expect(first.stdout).toContain(`SHA-256 fingerprint: ${ca}`)
      expect(first.code).toBe(4)
      yield* loginApproved(kim).pipe(Effect.ignore)
      const again = yield* ncod(kim, ["login", "--password-stdin"], `${kim.password}\n`)
      expect(again.code).toBe(0)
      const watcher = yield* startNcod(kim, ["watch", "--json"])
      yield* Effect.promise(() => watcher.waitFor(/watching live events/, 30_000))
      const jlink = yield* deviceIdFor("1-1.3")
      yield* world.admin.adminFleet.updateDevice({ path: { id: jlink.id as never }, payload: { nickname: "probe-7" } }).pipe(Effect.provide(world.http), Effect.orDie)
      const line = yield* Effect.promise(() => watcher.waitFor(/^\{.*"nickname":"probe-7".*"_tag":"DeviceChanged"\}$/m, 15_000))
      expect(JSON.parse(line)).toMatchObject({ _tag: "DeviceChanged", device: { nickname: "probe-7" } })
    })
  , 300_000)

  it.scoped("stops using the device when the master ended the lease during a longer outage (grace period over)", () =>
    Effect.gen(function* () {
      const world = yield* ClientWorld
      const lou = yield* makeUser("lou", "Lou Grant")
      yield* loginApproved(lou)
      const device = yield* deviceIdFor("1-1.2")
      const holder = yield* startNcod(lou, ["connect", device.vhAddress])
      yield* Effect.promise(() => holder.waitFor(/connected: /, 30_000))
      const leaseId = (yield* leasesOf(device.id)).find((lease) => lease.endedAt === null)!.id
      yield* Effect.promise(() => world.proxy.cut())
      const endedAfter = yield* eventually(
        Effect.map(leasesOf(device.id), (leases) => leases.find((lease) => lease.id === leaseId)?.endReason === "grace_expired"),
        40_000,
        250
      )
      // the device stayed in use on this computer while the master could not be told
      expect(yield* boundTo("1-1.2")).toBe("Lou Grant (lou)")
      const restoredAt = Date.now()
      yield* Effect.promise(() => world.proxy.restore())
      const exit = yield* Effect.promise(() => holder.exited)
      expect(exit.code).toBe(5)
      expect(holder.output()).toContain("lease ended (grace_expired)")
      expect(yield* boundTo("1-1.2")).toBeNull()
      console.log(`lease ended by the grace period ${endedAfter} ms after the cut; the client stopped using the device ${exit.at - restoredAt} ms after the network returned`)
    })
  , 300_000)

  it.scoped("tells the holder when the slave goes offline, and binds again when it is back", () =>
    Effect.gen(function* () {
      const world = yield* ClientWorld
      const max = yield* makeUser("max", "Max Ruiz")
      yield* loginApproved(max)
      const device = yield* deviceIdFor("1-1.3")
      const holder = yield* startNcod(max, ["connect", device.vhAddress])
      yield* Effect.promise(() => holder.waitFor(/connected: /, 30_000))
      const leaseId = (yield* leasesOf(device.id)).find((lease) => lease.endedAt === null)!.id
      const lease = Effect.map(leasesOf(device.id), (leases) => leases.find((l) => l.id === leaseId)!)
      const wentAway = Date.now()
      world.pauseReports(true)
      yield* Effect.promise(() => world.server.goAway())
      yield* Effect.promise(() => holder.waitFor(/slave lab-1 is offline: the lease is suspended until it is back/, 20_000))
      const toldAfter = Date.now() - wentAway
      expect((yield* lease).state).toBe("suspended")
      const cameBack = Date.now()
      yield* Effect.promise(() => world.server.comeBack())
      world.pauseReports(false)
      yield* eventually(Effect.map(boundTo("1-1.3"), (who) => who === "Max Ruiz (max)"), 20_000, 100)
      const reboundAfter = Date.now() - cameBack
      yield* Effect.promise(() => holder.waitFor(/slave lab-1 is back online/, 20_000))
      yield* eventually(Effect.map(lease, (l) => l.state === "active"), 10_000, 200)
      console.log(`slave offline: holder told ${toldAfter} ms after the slave went silent; bound again ${reboundAfter} ms after it came back (reports every 1 s, offline after 3 missed)`)
      yield* ctrlC(holder)
      expect((yield* Effect.promise(() => holder.exited)).code).toBe(0)
    })
  , 300_000)
})

