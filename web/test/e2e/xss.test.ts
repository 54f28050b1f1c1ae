/**
 * Stored XSS in the real browser: every payload of Debian's wapiti and wfuzz lists is stored through
 * the API in each user-controlled text a page renders — display names, rejection reasons, org unit
 * names, slave names, device nicknames and tags, audit entries — then every page that shows them
 * is opened in Chromium. A payload that runs opens a dialog (alert/confirm/prompt); none may.
 */
import type { OrgUnitId, SlaveId, User } from "@ncod/core"
import { Effect, Option } from "effect"
import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { loadXssPayloads, type XssPayload } from "../../../master/test/security/payloads.js"
import { anonymous, asAdmin, demoDevices, grantSlave, seedOrg, simulatedSlave } from "./fleet.js"
import { type BrowserRun, ensureAppsBuilt, launchBrowser, requireTools, type RunningMaster, startMaster } from "./harness.js"

let master: RunningMaster
let browser: BrowserRun
const payloads: ReadonlyArray<XssPayload> = loadXssPayloads({ markerPrefix: "e2e" })
const stored: Record<string, number> = {}
const slaves: Array<{ stop: () => void }> = []
const password = "長い安全なパスワード for xss 42"
let victim = ""

/** The payload if it fits a single-line label of `max` characters (what the contract accepts). */
const fits = (payload: string, max: number) => payload.trim().length > 0 && payload.trim().length <= max && !/[\u0000-\u001f\u007f]/.test(payload)

const tryStore = async (field: string, task: () => Promise<unknown>) => {
  try {
    await task()
    stored[field] = (stored[field] ?? 0) + 1
  } catch {
    // refused by the contract's own validation: nothing stored, nothing to render
  }
}

beforeAll(async () => {
  requireTools()
  await ensureAppsBuilt()
  master = await startMaster({ NCOD_REGISTRATIONS_PER_HOUR: "10000", NCOD_ENROLLMENTS_PER_HOUR: "10000", NCOD_LOGIN_MAX_FAILURES: "100", NCOD_LOGIN_IP_MAX_FAILURES: "10000" })
  browser = await launchBrowser(master)
  const org = await seedOrg(master, ["XSS 集团", "XSS 公司", "XSS 项目部"])

  const count = (field: string) => Effect.sync(() => void (stored[field] = (stored[field] ?? 0) + 1))
  // refused by the contract's own validation: nothing stored, nothing to render
  const attempt = <A, E>(field: string, effect: Effect.Effect<A, E>) => effect.pipe(Effect.tap(() => count(field)), Effect.option)
  const many = { concurrency: 8 } as const

  // org unit names: payload-named project departments under the company (one admin session for all)
  await asAdmin(master, (c) =>
    Effect.forEach(
      payloads.entries(),
      ([index, payload]) =>
        fits(payload.payload, 120)
          ? attempt("orgUnitName", c.adminOrgUnits.create({ payload: { kind: "project_department", parentId: org.company.id, name: payload.payload, nameEn: index % 2 === 0 ? payload.payload : null } }))
          : Effect.void,
      many
    )
  )

  // display names (users registered in payload-named departments), half of them rejected with the payload as reason
  const units = await anonymous(master, (c) => c.orgUnits.tree())
  const departments = units.filter((unit) => unit.kind === "project_department")
  const unitFor = (index: number) => (departments[index % departments.length]?.id ?? org.department.id) as OrgUnitId
  const registered = await anonymous(master, (c) =>
    Effect.forEach(
      payloads.entries(),
      ([index, payload]) =>
        fits(payload.payload, 80)
          ? attempt(
              "displayName",
              c.auth.register({ payload: { username: `xss-user-${index}`, displayName: payload.payload, email: `xss${index}@example.com`, phone: null, password, orgUnitId: unitFor(index) } })
            ).pipe(Effect.map((user) => ({ index, user })))
          : Effect.succeed({ index, user: Option.none<User>() }),
      many
    )
  )
  await asAdmin(master, (c) =>
    Effect.forEach(
      registered,
      ({ index, user }) =>
        user._tag === "None"
          ? Effect.void
          : index % 2 === 0
            ? attempt("statusReason", c.adminUsers.reject({ path: { id: user.value.id }, payload: { reason: payloads[index]!.payload.slice(0, 500) } }))
            : Effect.ignore(c.adminUsers.approve({ path: { id: user.value.id } })),
      many
    )
  )

  // the portal user who looks at everything: approved, in the organization the slaves are granted to
  victim = "xss.viewer"
  const viewer = await anonymous(master, (c) =>
    c.auth.register({ payload: { username: victim, displayName: payloads[0]!.payload.slice(0, 80).trim() || "viewer", email: "viewer@example.com", phone: null, password, orgUnitId: org.department.id } })
  )
  await asAdmin(master, (c) => c.adminUsers.approve({ path: { id: viewer.id } }))

  // slave names (enrolled with the payload as name), device nicknames and tags
  const token = await asAdmin(master, (c) => c.adminFleet.createEnrollmentToken({ payload: { label: payloads[1]!.payload.slice(0, 120).trim() || "xss", maxUses: 500, expiresInHours: 1 } }))
  const named = payloads.filter((payload) => fits(payload.payload, 120)).slice(0, 6)
  for (const [index, payload] of named.entries()) {
    await tryStore("slaveName", async () => {
      const slave = await simulatedSlave(master, token.token, payload.payload.trim(), demoDevices(`xss-${index}`, index, index === 0 ? 40 : 2))
      slaves.push(slave)
      await grantSlave(master, slave.slaveId as SlaveId, org.organization.id)
    })
  }
  const devices = await asAdmin(master, (c) => c.inventory.devices({ urlParams: { limit: 500 } }))
  await asAdmin(master, (c) =>
    Effect.forEach(
      payloads.entries(),
      ([index, payload]) => {
        const view = devices.items[index % devices.items.length]
        return view
          ? attempt(
              "deviceNickname",
              c.adminFleet.updateDevice({
                path: { id: view.device.id },
                payload: { ...(fits(payload.payload, 120) ? { nickname: payload.payload } : {}), tags: fits(payload.payload, 40) ? [payload.payload] : ["xss"] }
              })
            )
          : Effect.void
      },
      many
    )
  )

  // audit entries: failed sign-ins whose username is the payload (actor name and details)
  await anonymous(master, (c) =>
    Effect.forEach(
      payloads,
      (payload) =>
        attempt(
          "auditActor",
          c.auth.login({ payload: { username: payload.payload.slice(0, 64), password: "wrong password here", audience: "portal" } }).pipe(
            Effect.catchTag("InvalidCredentials", () => Effect.void)
          )
        ),
      many
    )
  )
}, 300_000)

afterAll(async () => {
  for (const slave of slaves) slave.stop()
  await browser?.close()
  await master?.stop()
})

const signIn = async (page: Page, base: string, username: string, secret: string) => {
  await page.goto(`${master.url}${base}`)
  await page.locator("nc-login-form sl-input[name=username] input").fill(username)
  await page.locator("nc-login-form sl-input[name=password] input").fill(secret)
  await page.locator("nc-login-form sl-button[type=submit]").click()
}

/** Opens a page, waits until its data is on screen and anything injected would have run. */
const visit = async (page: Page, url: string, ready: string) => {
  await page.goto(url)
  await page.locator(ready).first().waitFor({ timeout: 20_000 })
  await page.waitForTimeout(1_000)
}

describe("stored XSS payloads in the real browser", () => {
  it("were stored in every kind of user-controlled text", () => {
    expect(payloads.length).toBeGreaterThan(80)
    for (const field of ["orgUnitName", "displayName", "statusReason", "slaveName", "deviceNickname", "auditActor"]) expect(stored[field] ?? 0, field).toBeGreaterThan(5)
  })

  it("run nowhere in the admin app", async () => {
    const page = await browser.newPage()
    await signIn(page, "/admin/", master.admin.username, master.admin.password)
    await page.locator("admin-approvals h1").waitFor()
    await visit(page, `${master.url}/admin/users`, "admin-users tr[data-user]")
    // the text arrives as text: a payload's characters are on the page, not its effect
    expect(await page.locator("admin-users .display-name").allInnerTexts()).toContain(payloads.find((p) => fits(p.payload, 80))!.payload.trim())
    await page.locator("admin-users sl-button", { hasText: "加载更多" }).click().catch(() => undefined)
    await page.waitForTimeout(1_000)
    await page.locator("admin-users .status-reason").first().waitFor()
    await visit(page, `${master.url}/admin/org`, "admin-org ul.tree")
    await visit(page, `${master.url}/admin/slaves`, "admin-slaves table.slaves")
    await visit(page, `${master.url}/admin/devices`, "admin-devices tr[data-device]")
    await page.locator("admin-devices sl-button", { hasText: "授权" }).first().click()
    await page.locator("grants-dialog sl-dialog[open]").waitFor()
    await page.waitForTimeout(1_000)
    await visit(page, `${master.url}/admin/audit`, "admin-audit .actor-name")
    await visit(page, `${master.url}/admin/machines`, "admin-machines h1")
    await visit(page, `${master.url}/admin/health`, "admin-health h1")
    expect(browser.dialogs).toEqual([])
  }, 180_000)

  it("run nowhere in the portal", async () => {
    const page = await browser.newPage()
    await signIn(page, "/login", victim, password)
    await page.locator("portal-devices device-card").first().waitFor({ timeout: 20_000 })
    for (let more = 0; more < 3; more++) {
      const button = page.locator("portal-devices .more sl-button")
      if ((await button.count()) === 0) break
      await button.click()
      await page.waitForTimeout(800)
    }
    await page.waitForTimeout(1_000)
    const firstDevice = await page.locator("portal-devices device-card").first().getAttribute("data-device")
    await visit(page, `${master.url}/devices/${firstDevice}`, "portal-device dl.facts")
    await visit(page, `${master.url}/profile`, "portal-profile profile-facts")
    await visit(page, `${master.url}/leases`, "portal-leases h1")

    // the registration form lists every payload-named department
    const anonymousPage = await browser.newPage()
    await visit(anonymousPage, `${master.url}/register`, "org-cascade")
    await anonymousPage.locator("sl-select[name=organization]").click()
    await anonymousPage.locator("sl-select[name=organization] sl-option").first().click()
    await anonymousPage.locator("sl-select[name=company]").click()
    await anonymousPage.locator("sl-select[name=company] sl-option").first().click()
    await anonymousPage.locator("sl-select[name=department]").click()
    await anonymousPage.waitForTimeout(800)

    // a rejected user reads the payload as the reason
    const rejected = await browser.newPage()
    const index = payloads.findIndex((p, i) => i % 2 === 0 && fits(p.payload, 80))
    await signIn(rejected, "/login", `xss-user-${index}`, password)
    await rejected.locator("portal-rejected .reason").waitFor({ timeout: 20_000 })
    expect(await rejected.locator("portal-rejected .reason").innerText()).toBe(payloads[index]!.payload.slice(0, 500).trim())
    await rejected.waitForTimeout(800)
    expect(browser.dialogs).toEqual([])
  }, 180_000)

  it("leave no console error behind", () => {
    // the expected refusals (wrong passwords) were made from Node, not from the pages
    expect(browser.problems).toEqual([])
  })
})
