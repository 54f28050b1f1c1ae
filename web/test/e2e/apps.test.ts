/**
 * The two apps end to end in Debian's Chromium against a real master on PostgreSQL: a user
 * registers and waits, an admin approves, the user browses devices live and takes and releases a
 * lease; the admin creates an enrollment token and watches the new slave appear live. No console
 * errors anywhere along the way.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Page } from "playwright-core"
import { demoDevices, grantSlave, type SeededOrg, seedOrg, simulatedSlave } from "./fleet.js"
import * as path from "node:path"
import { anonymous } from "./fleet.js"
import { artifactsDir, type BrowserRun, ensureAppsBuilt, launchBrowser, requireTools, type RunningMaster, screenshot, startMaster } from "./harness.js"

let master: RunningMaster
let browser: BrowserRun
let org: SeededOrg
const slaves: Array<{ stop: () => void }> = []

beforeAll(async () => {
  requireTools()
  await ensureAppsBuilt()
  master = await startMaster()
  browser = await launchBrowser(master)
  org = await seedOrg(master)
}, 300_000)

afterAll(async () => {
  for (const slave of slaves) slave.stop()
  await browser?.close()
  await master?.stop()
})

const fill = async (page: Page, selector: string, value: string) => {
  await page.locator(`${selector} input`).fill(value)
}

const choose = async (page: Page, select: string, option: string) => {
  await page.locator(`sl-select[name=${select}]`).click()
  await page.locator(`sl-select[name=${select}] sl-option`, { hasText: option }).click()
}

const adminSignIn = async (page: Page) => {
  await page.goto(`${master.url}/admin/`)
  await fill(page, "nc-login-form sl-input[name=username]", master.admin.username)
  await fill(page, "nc-login-form sl-input[name=password]", master.admin.password)
  await page.locator("nc-login-form sl-button[type=submit]").click()
  await page.locator("admin-approvals h1").waitFor()
}

describe("the portal and the admin app against a running master", () => {
  let adminPage: Page
  let userPage: Page
  let enrollmentToken = ""
  const user = { username: "li.wei", displayName: "李伟", email: "li.wei@example.com", password: "铜锣湾的晚风吹过 2026" }

  it("lets the admin create an enrollment token and shows the new slave live", async () => {
    adminPage = await browser.newPage()
    await adminSignIn(adminPage)
    await adminPage.locator("nc-app-shell nav.side a", { hasText: "从服务器" }).click()
    await adminPage.locator("admin-slaves nc-empty").waitFor()
    await adminPage.locator("admin-slaves sl-button", { hasText: "添加从服务器" }).click()
    await fill(adminPage, "#token-dialog sl-input[name=label]", "上海 B203 机柜")
    await adminPage.locator("#token-dialog sl-button", { hasText: "生成令牌" }).click()
    const secret = adminPage.locator("#token-dialog nc-command.token-secret")
    await secret.waitFor()
    enrollmentToken = (await secret.getAttribute("command")) ?? ""
    expect(enrollmentToken.length).toBeGreaterThan(20)
    expect(await adminPage.locator("#token-dialog nc-command.install-command").getAttribute("command")).toContain(enrollmentToken)
    await adminPage.locator("#token-dialog sl-button", { hasText: "关闭" }).click()

    // a slave enrolls with the token the admin just saw, and reports its devices
    const slave = await simulatedSlave(master, enrollmentToken, "lab-sh-01", demoDevices("lab-sh-01", 1, 4))
    slaves.push(slave)
    await grantSlave(master, slave.slaveId as never, org.organization.id)
    // no reload: the row arrives over the live event stream
    const row = adminPage.locator('admin-slaves tr[data-slave="lab-sh-01"]')
    await row.waitFor({ timeout: 15_000 })
    await expect.poll(() => row.locator("nc-status[kind=slaveStatus]").getAttribute("value"), { timeout: 15_000 }).toBe("online")
  }, 90_000)

  it("registers a user who then sees only the pending view", async () => {
    userPage = await browser.newPage()
    await userPage.goto(`${master.url}/register`)
    await fill(userPage, "sl-input[name=username]", user.username)
    await fill(userPage, "sl-input[name=password]", user.password)
    await fill(userPage, "sl-input[name=confirm]", user.password)
    await fill(userPage, "sl-input[name=displayName]", user.displayName)
    await fill(userPage, "sl-input[name=email]", user.email)
    // field-level errors appear as the user types
    await fill(userPage, "sl-input[name=phone]", "12")
    await userPage.locator("sl-input[name=phone] .field-error").waitFor()
    await fill(userPage, "sl-input[name=phone]", "+86 138 0000 0000")
    await choose(userPage, "organization", org.organization.name)
    await choose(userPage, "company", org.company.name)
    await choose(userPage, "department", org.department.name)
    await userPage.locator("portal-register sl-button[type=submit]").click()
    await userPage.waitForURL(`${master.url}/pending`)
    await userPage.locator("portal-pending profile-facts").waitFor()
    expect(await userPage.locator("portal-pending .display-name").textContent()).toBe(user.displayName)
    expect(await userPage.locator("portal-pending .org-path").textContent()).toBe(`${org.organization.name} / ${org.company.name} / ${org.department.name}`)
    // nothing but the pending view: other pages send the user back
    await userPage.goto(`${master.url}/devices`)
    await userPage.waitForURL(`${master.url}/pending`)
  }, 90_000)

  it("lets the admin approve, and the waiting user moves on to the devices by itself", async () => {
    await adminPage.locator("nc-app-shell nav.side a", { hasText: "注册审批" }).click()
    const row = adminPage.locator(`admin-approvals tr[data-user="${user.username}"]`)
    await row.waitFor({ timeout: 15_000 })
    await row.locator("sl-button", { hasText: "批准" }).click()
    await row.waitFor({ state: "detached", timeout: 15_000 })
    // the user's page follows the live AccountStatusChanged event: no reload, no new sign-in
    await userPage.waitForURL(`${master.url}/devices`, { timeout: 20_000 })
    await expect.poll(() => userPage.locator("portal-devices device-card").count(), { timeout: 15_000 }).toBe(4)
  }, 90_000)

  it("lets the user take a lease, shows it live to the admin, and release it", async () => {
    const card = userPage.locator("portal-devices device-card").first()
    await card.locator("sl-button", { hasText: "使用" }).click()
    await userPage.locator("take-dialog sl-button", { hasText: "申请租约" }).click()
    try {
      await card.locator("sl-button", { hasText: "释放" }).waitFor({ timeout: 15_000 })
    } catch (error) {
      await userPage.screenshot({ path: path.join(artifactsDir, "take-failed.png") })
      throw error
    }
    expect(await card.locator(".holder").textContent()).toContain("您正在使用")

    // the admin's lease list shows it
    await adminPage.locator("nc-app-shell nav.side a", { hasText: "租约" }).click()
    await expect.poll(() => adminPage.locator("admin-leases tr[data-lease]").count(), { timeout: 15_000 }).toBe(1)
    expect(await adminPage.locator("admin-leases tr[data-lease] .display-name").textContent()).toBe(user.displayName)

    await userPage.locator("nc-app-shell nav.side a", { hasText: "我的租约" }).click()
    const lease = userPage.locator("portal-leases sl-card.lease").first()
    await lease.waitFor()
    expect(await lease.locator("nc-command").getAttribute("command")).toMatch(/^ncod connect [0-9a-f-]{36}$/)
    await lease.locator("sl-button", { hasText: "释放" }).click()
    await userPage.locator("portal-leases nc-empty").waitFor({ timeout: 15_000 })
    await expect.poll(() => adminPage.locator("admin-leases tr[data-lease]").count(), { timeout: 15_000 }).toBe(0)
  }, 90_000)

  it("updates the device list live when the slave plugs in another device", async () => {
    await userPage.locator("nc-app-shell nav.side a", { hasText: "设备" }).first().click()
    await expect.poll(() => userPage.locator("portal-devices device-card").count(), { timeout: 15_000 }).toBe(4)
    const slave = slaves[0] as unknown as { setDevices: (d: ReturnType<typeof demoDevices>) => Promise<void> }
    await slave.setDevices(demoDevices("lab-sh-01", 1, 5))
    await expect.poll(() => userPage.locator("portal-devices device-card").count(), { timeout: 15_000 }).toBe(5)
  }, 60_000)

  it("writes screenshots of every main page at 375 px and 1280 px", async () => {
    // a second user who stays pending, for the pending view
    const waiting = { username: "wang.fang", password: "海风吹过黄浦江的傍晚 7" }
    await anonymous(master, (c) =>
      c.auth.register({ payload: { username: waiting.username, displayName: "王芳", email: "wang.fang@example.com", phone: null, password: waiting.password, orgUnitId: org.department.id } })
    )
    const signIn = async (page: Page, base: string, username: string, password: string, landing: string) => {
      await page.goto(`${master.url}${base}`)
      await fill(page, "nc-login-form sl-input[name=username]", username)
      await fill(page, "nc-login-form sl-input[name=password]", password)
      await page.locator("nc-login-form sl-button[type=submit]").click()
      await page.locator(landing).waitFor()
    }
    const settle = async (page: Page, selector: string) => {
      await page.locator(selector).first().waitFor()
      await page.locator("nc-loading").first().waitFor({ state: "detached", timeout: 10_000 }).catch(() => undefined)
      await page.waitForTimeout(600)
    }
    const deviceId = await userPage.locator("portal-devices device-card").first().getAttribute("data-device")
    for (const width of [375, 1280]) {
      const anonymousPage = await browser.newPage({ width, height: 800 })
      for (const [name, url, selector] of [["login", "/login", "portal-login"], ["register", "/register", "org-cascade"], ["manual", "/manual/getting-started", "portal-manual article h1"]] as const) {
        await anonymousPage.goto(`${master.url}${url}`)
        await settle(anonymousPage, selector)
        await screenshot(anonymousPage, "portal", name)
      }
      await anonymousPage.goto(`${master.url}/admin/`)
      await settle(anonymousPage, "nc-login-form")
      await screenshot(anonymousPage, "admin", "login")

      const pendingPage = await browser.newPage({ width, height: 800 })
      await signIn(pendingPage, "/login", waiting.username, waiting.password, "portal-pending profile-facts")
      await settle(pendingPage, "portal-pending profile-facts")
      await screenshot(pendingPage, "portal", "pending")

      const portalPage = await browser.newPage({ width, height: 800 })
      await signIn(portalPage, "/login", user.username, user.password, "portal-devices")
      for (const [name, url, selector] of [
        ["devices", "/devices", "device-card"],
        ["device", `/devices/${deviceId}`, "portal-device dl.facts"],
        ["leases", "/leases", "portal-leases h2"],
        ["machines", "/machines", "portal-machines nc-empty"],
        ["profile", "/profile", "portal-profile profile-facts"],
        ["notifications", "/notifications", "portal-notifications h1"]
      ] as const) {
        await portalPage.goto(`${master.url}${url}`)
        await settle(portalPage, selector)
        await screenshot(portalPage, "portal", name)
      }

      const admin = await browser.newPage({ width, height: 800 })
      await signIn(admin, "/admin/", master.admin.username, master.admin.password, "admin-approvals h1")
      for (const [name, selector] of [
        ["approvals", "admin-approvals table"],
        ["users", "admin-users table"],
        ["machines", "admin-machines h1"],
        ["org", "admin-org ul.tree"],
        ["slaves", "admin-slaves table.slaves"],
        ["devices", "admin-devices table"],
        ["leases", "admin-leases h1"],
        ["audit", "admin-audit table"],
        ["health", "admin-health rate-chart"]
      ] as const) {
        await admin.goto(`${master.url}/admin/${name}`)
        await settle(admin, selector)
        if (name === "health") await admin.waitForTimeout(11_000)
        await screenshot(admin, "admin", name)
      }
      for (const page of [anonymousPage, pendingPage, portalPage, admin]) await page.context().close()
    }
  }, 240_000)

  it("wrote no console error and opened no dialog", () => {
    expect(browser.problems).toEqual([])
    expect(browser.dialogs).toEqual([])
  })
})
