/**
 * What the end-to-end suites run against: the two apps built by vite, a real master started as a
 * child process (`ncod-master serve`) on a throwaway PostgreSQL database, and Debian's Chromium
 * driven by playwright-core. Chromium trusts the master's test CA through an NSS database in a
 * temporary HOME — no `--ignore-certificate-errors`, so TLS is verified as a user's browser would.
 */
import { scopedServerDatabase, serverUrl } from "@ncod/sql/testing"
import { Effect, Exit, Scope } from "effect"
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core"

const here = path.dirname(fileURLToPath(import.meta.url))
export const repoRoot = path.resolve(here, "../../..")
const masterBin = path.join(repoRoot, "master/bin/ncod-master.js")
export const artifactsDir = path.join(repoRoot, "test-artifacts")
export const screenshotsDir = path.join(artifactsDir, "screenshots")

const chromiumPath = "/usr/bin/chromium"

/** Fails with one line naming what to install when a Debian tool is missing. */
export const requireTools = () => {
  const missing: Array<string> = []
  if (!fs.existsSync(chromiumPath)) missing.push("chromium")
  try {
    execFileSync("certutil", ["-H"], { stdio: "ignore" })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") missing.push("libnss3-tools")
  }
  if (missing.length > 0) throw new Error(`the browser tests need Debian packages: apt-get install -y ${missing.join(" ")}`)
}

// ---------------------------------------------------------------------------------------------
// Building the apps: once per change of their inputs, shared by parallel test files via a lock.

const inputsOf = (dir: string): Array<string> =>
  fs.existsSync(dir)
    ? fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name)
        if (entry.isDirectory()) return entry.name === "node_modules" || entry.name.startsWith("dist") ? [] : inputsOf(full)
        return [full]
      })
    : []

const inputsHash = () => {
  const hash = crypto.createHash("sha256")
  const files = [
    ...inputsOf(path.join(repoRoot, "web/src")),
    ...inputsOf(path.join(repoRoot, "admin/src")),
    ...inputsOf(path.join(repoRoot, "core/src")),
    ...["web/index.html", "admin/index.html", "web/vite.shared.ts", "web/vite.config.ts", "admin/vite.config.ts", "package-lock.json"].map((f) => path.join(repoRoot, f))
  ].sort()
  for (const file of files) {
    if (!fs.existsSync(file)) continue
    hash.update(path.relative(repoRoot, file))
    hash.update(fs.readFileSync(file))
  }
  return hash.digest("hex")
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Builds web/dist and admin/dist with vite unless their inputs are unchanged since the last build. */
export const ensureAppsBuilt = async () => {
  const stamp = path.join(artifactsDir, "apps-build.stamp")
  const lock = path.join(artifactsDir, "apps-build.lock")
  fs.mkdirSync(artifactsDir, { recursive: true })
  const want = inputsHash()
  const fresh = () =>
    fs.existsSync(stamp) &&
    fs.readFileSync(stamp, "utf8") === want &&
    fs.existsSync(path.join(repoRoot, "web/dist/index.html")) &&
    fs.existsSync(path.join(repoRoot, "admin/dist/index.html"))
  for (let waited = 0; ; waited += 500) {
    if (fresh()) return
    try {
      fs.mkdirSync(lock)
      break
    } catch {
      if (waited > 300_000) fs.rmSync(lock, { recursive: true, force: true })
      await sleep(500)
    }
  }
  try {
    if (fresh()) return
    const { build } = await import("vite")
    for (const app of ["web", "admin"]) {
      await build({ configFile: path.join(repoRoot, app, "vite.config.ts"), logLevel: "warn" })
    }
    fs.writeFileSync(stamp, want)
  } finally {
    fs.rmSync(lock, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------------------------------------
// The master.

export interface RunningMaster {
  readonly url: string
  readonly dataDir: string
  readonly caFile: string
  readonly ca: string
  readonly admin: { readonly username: string; readonly password: string }
  readonly output: () => string
  readonly stop: () => Promise<void>
}

const runCli = (args: ReadonlyArray<string>, env: Record<string, string>, input?: string) =>
  new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [masterBin, ...args], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] })
    let out = ""
    child.stdout.on("data", (chunk) => (out += String(chunk)))
    child.stderr.on("data", (chunk) => (out += String(chunk)))
    child.stdin.end(input ?? "")
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`ncod-master ${args.join(" ")} exited with ${code}:\n${out}`))))
  })

/**
 * `ncod-master keys`, `create-admin --password-stdin`, then `serve` on a free loopback port with
 * a database created for this run (and dropped by `stop`).
 */
export const startMaster = async (settings: Record<string, string> = {}): Promise<RunningMaster> => {
  const base = serverUrl()
  if (!base) throw new Error("the browser tests need PostgreSQL: set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)")
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ncod-e2e-"))
  const scope = Effect.runSync(Scope.make())
  const database = await Effect.runPromise(Scope.extend(scopedServerDatabase(base), scope))
  const keysDir = path.join(dataDir, "keys")
  const env: Record<string, string> = {
    NCOD_HOST: "127.0.0.1",
    NCOD_PORT: "0",
    NCOD_DATA_DIR: dataDir,
    NCOD_KEYS_DIR: keysDir,
    NCOD_WEB_DIR: path.join(repoRoot, "web/dist"),
    NCOD_ADMIN_DIR: path.join(repoRoot, "admin/dist"),
    NCOD_LOG_LEVEL: "warning",
    NCOD_REPORT_INTERVAL_SECONDS: "2",
    NCOD_BCRYPT_COST: "10",
    DATABASE_URL: database.url,
    ...(process.env["REDIS_URL"] ? { REDIS_URL: process.env["REDIS_URL"], NCOD_REDIS_PREFIX: `ncod-e2e-${path.basename(dataDir)}:` } : {}),
    ...settings
  }
  await runCli(["keys", "--dir", keysDir], env)
  const admin = { username: "admin", password: "e2e admin passphrase 2026" }
  await runCli(["create-admin", "--username", admin.username, "--display-name", "E2E Admin", "--password-stdin"], env, `${admin.password}\n`)

  const child: ChildProcess = spawn(process.execPath, [masterBin, "serve"], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] })
  let output = ""
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the master did not start within 90 s:\n${output}`)), 90_000)
    const onData = (chunk: unknown) => {
      output += String(chunk)
      const match = /ncod master is running at (https:\/\/\S+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    }
    child.stdout?.on("data", onData)
    child.stderr?.on("data", onData)
    child.on("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`the master exited with ${code} before it was ready:\n${output}`))
    })
  })
  const caFile = path.join(keysDir, "ca.crt")
  return {
    url: url.replace("://localhost:", "://127.0.0.1:").replace("://0.0.0.0:", "://127.0.0.1:"),
    dataDir,
    caFile,
    ca: fs.readFileSync(caFile, "utf8"),
    admin,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve))
        child.kill("SIGTERM")
        await Promise.race([exited, sleep(10_000)])
        if (child.exitCode === null) child.kill("SIGKILL")
      }
      await Effect.runPromise(Scope.close(scope, Exit.void))
      fs.rmSync(dataDir, { recursive: true, force: true })
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The browser.

export interface BrowserRun {
  readonly browser: Browser
  /** Every console error, page error and failed request so far, for the "no errors" assertion. */
  readonly problems: Array<string>
  /** Every native dialog (alert/confirm/prompt) that opened: an XSS payload that ran. */
  readonly dialogs: Array<string>
  readonly newPage: (options?: { readonly width?: number; readonly height?: number; readonly locale?: "zh" | "en" }) => Promise<Page>
  readonly close: () => Promise<void>
}

/**
 * Chromium with a temporary HOME whose NSS database trusts the master's CA (Chromium on Linux
 * reads `~/.pki/nssdb`). Each page reports its console errors and dialogs into the run.
 */
export const launchBrowser = async (master: RunningMaster): Promise<BrowserRun> => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "ncod-e2e-home-"))
  const nssdb = path.join(home, ".pki/nssdb")
  fs.mkdirSync(nssdb, { recursive: true })
  execFileSync("certutil", ["-N", "-d", `sql:${nssdb}`, "--empty-password"])
  execFileSync("certutil", ["-A", "-d", `sql:${nssdb}`, "-n", "ncod-e2e-ca", "-t", "C,,", "-i", master.caFile])
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    env: { ...process.env, HOME: home }
  })
  const problems: Array<string> = []
  const dialogs: Array<string> = []
  const contexts: Array<BrowserContext> = []
  return {
    browser,
    problems,
    dialogs,
    newPage: async (options = {}) => {
      const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: options.height ?? 900 }, locale: "zh-CN" })
      contexts.push(context)
      if (options.locale) await context.addInitScript(`localStorage.setItem("ncod.lang", ${JSON.stringify(options.locale)})`)
      const page = await context.newPage()
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(`console error on ${page.url()}: ${message.text()}`)
      })
      page.on("pageerror", (error) => problems.push(`page error on ${page.url()}: ${error.message}`))
      page.on("dialog", (dialog) => {
        dialogs.push(`${dialog.type()} on ${page.url()}: ${dialog.message()}`)
        void dialog.dismiss()
      })
      return page
    },
    close: async () => {
      await browser.close()
      fs.rmSync(home, { recursive: true, force: true })
    }
  }
}

/** Saves a full-page screenshot as test-artifacts/screenshots/<app>-<page>-<width>.png. */
export const screenshot = async (page: Page, app: "portal" | "admin", name: string) => {
  fs.mkdirSync(screenshotsDir, { recursive: true })
  const width = page.viewportSize()?.width ?? 0
  await page.screenshot({ path: path.join(screenshotsDir, `${app}-${name}-${width}.png`), fullPage: true })
}
