/**
 * deploy/slave: the shell scripts pass shellcheck, the units pass systemd-analyze, and install.sh
 * run twice into a scratch root is idempotent, keeps local edits, writes vhusbd's hook, and
 * uninstall.sh takes back exactly what it installed.
 */
import { describe, expect, it } from "@effect/vitest"
import { execFileSync, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { repoRoot } from "./support/processes.js"

const deployDir = path.join(repoRoot, "deploy/slave")
const have = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0
const run = (script: string, args: ReadonlyArray<string>) => {
  const result = spawnSync("bash", [path.join(deployDir, script), ...args], { encoding: "utf8", env: { PATH: process.env["PATH"] ?? "", HOME: os.tmpdir() } })
  return { code: result.status, out: `${result.stdout}${result.stderr}` }
}

describe("deploy/slave", () => {
  it("has shell scripts that pass shellcheck -S warning", () => {
    expect(have("shellcheck"), "shellcheck is needed (apt-get install shellcheck)").toBe(true)
    const result = spawnSync("shellcheck", ["-S", "warning", ...fs.readdirSync(deployDir).filter((f) => f.endsWith(".sh")).map((f) => path.join(deployDir, f))], { encoding: "utf8" })
    expect(result.stdout + result.stderr).toBe("")
    expect(result.status).toBe(0)
  })

  it("has units systemd accepts once install.sh has filled them in", () => {
    expect(have("systemd-analyze"), "systemd-analyze is needed (apt-get install systemd)").toBe(true)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ncod-units-"))
    const units = ["vhusbd.service", "ncod-vhclient.service", "ncod-slave.service"]
    for (const unit of units) {
      const text = fs
        .readFileSync(path.join(deployDir, unit), "utf8")
        .replaceAll("@NODE@", process.execPath)
        .replaceAll("@APP@", repoRoot)
        .replaceAll("@VHUSBD@", "/bin/true")
        .replaceAll("@VHCLIENT@", "/bin/true")
        .replaceAll("@VHUSBD_CONFIG@", "/usr/local/etc/virtualhere/config.ini")
      expect(text).not.toMatch(/@[A-Z_]+@/)
      fs.writeFileSync(path.join(dir, unit), text)
    }
    const result = spawnSync("systemd-analyze", ["verify", ...units.map((unit) => path.join(dir, unit))], { encoding: "utf8" })
    expect(result.stdout + result.stderr).toBe("")
    for (const unit of units) expect(fs.readFileSync(path.join(dir, unit), "utf8")).toMatch(/^Restart=always$/m)
    expect(fs.readFileSync(path.join(dir, "ncod-slave.service"), "utf8")).toMatch(/^After=network-online\.target/m)
  })

  it(
    "installs idempotently, keeps local edits, writes vhusbd's hook, and uninstalls what it installed",
    () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), "ncod-install-"))
      const arch = { x64: "x86_64", arm64: "arm64" }[process.arch as "x64" | "arm64"] ?? process.arch
      for (const binary of [`usr/local/sbin/vhusbd${arch}`, `usr/local/bin/vhclient${arch}`]) {
        fs.mkdirSync(path.join(root, path.dirname(binary)), { recursive: true })
        fs.writeFileSync(path.join(root, binary), "#!/bin/sh\nexit 0\n", { mode: 0o755 })
      }
      const ini = path.join(root, "usr/local/etc/virtualhere/config.ini")
      fs.mkdirSync(path.dirname(ini), { recursive: true })
      fs.writeFileSync(ini, "[General]\nServerName=$HOSTNAME$\nLicense=keep-me\n")
      const install = () => run("install.sh", ["--root", root, "--in-place", "--source", repoRoot])

      const first = install()
      expect(first.code, first.out).toBe(0)
      const at = (file: string) => path.join(root, file)
      for (const file of ["etc/systemd/system/ncod-slave.service", "etc/systemd/system/vhusbd.service", "etc/systemd/system/ncod-vhclient.service", "usr/local/bin/ncod-slave", "usr/local/bin/ncod-slave-hook", "etc/ncod-slave/config.json"]) {
        expect(fs.existsSync(at(file)), file).toBe(true)
      }
      expect(fs.readFileSync(at("etc/systemd/system/vhusbd.service"), "utf8")).toContain(`ExecStart=/usr/local/sbin/vhusbd${arch} -b -c /usr/local/etc/virtualhere/config.ini`)
      expect(fs.statSync(at("usr/local/bin/ncod-slave-hook")).mode & 0o777).toBe(0o755)
      const configured = fs.readFileSync(ini, "utf8")
      expect(configured).toContain("License=keep-me")
      expect(configured).toMatch(/^ClientAuthorization=\/usr\/local\/bin\/ncod-slave-hook --vendor-id '\$VENDOR_ID\$'/m)
      expect(configured).toMatch(/^onEnumeration=\/usr\/local\/bin\/ncod-slave-hook event onEnumeration/m)
      expect(first.out).toMatch(/now enroll it/)

      const second = install()
      expect(second.code, second.out).toBe(0)
      expect(second.out).not.toMatch(/installed|updated|kept/)
      expect(fs.readFileSync(ini, "utf8")).toBe(configured)

      // an admin edits the agent's settings and the unit; the next install keeps both
      fs.writeFileSync(at("etc/ncod-slave/config.json"), '{ "scanIntervalSeconds": 3 }\n')
      fs.appendFileSync(at("etc/systemd/system/ncod-slave.service"), "# local edit\n")
      const third = install()
      expect(third.code, third.out).toBe(0)
      expect(fs.readFileSync(at("etc/ncod-slave/config.json"), "utf8")).toBe('{ "scanIntervalSeconds": 3 }\n')
      expect(fs.existsSync(at("etc/ncod-slave/config.json.ncod-new"))).toBe(true)
      expect(fs.readFileSync(at("etc/systemd/system/ncod-slave.service"), "utf8")).toContain("# local edit")
      expect(third.out).toMatch(/kept your edited \/etc\/systemd\/system\/ncod-slave.service/)

      const removed = run("uninstall.sh", ["--root", root, "--keep-registration"])
      expect(removed.code, removed.out).toBe(0)
      expect(fs.existsSync(at("usr/local/bin/ncod-slave"))).toBe(false)
      expect(fs.existsSync(at("etc/systemd/system/ncod-vhclient.service"))).toBe(false)
      // the edited unit stays, with a note; VirtualHere's own unit stays
      expect(fs.existsSync(at("etc/systemd/system/ncod-slave.service"))).toBe(true)
      expect(removed.out).toMatch(/kept \/etc\/systemd\/system\/ncod-slave.service/)
      expect(fs.existsSync(at("etc/systemd/system/vhusbd.service"))).toBe(true)
      expect(fs.readFileSync(ini, "utf8")).toBe("[General]\nServerName=$HOSTNAME$\nLicense=keep-me\n")
      expect(fs.existsSync(at("etc/ncod-slave"))).toBe(true)
      execFileSync("rm", ["-rf", root])
    },
    240_000
  )
})
