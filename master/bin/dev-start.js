#!/usr/bin/env node
// `npm start`: the master in development mode at once, and — when they are not built yet — the
// web portal and admin app built in the background, so the API answers within seconds and the
// pages appear as soon as vite is done.
import { spawn } from "node:child_process"
import { existsSync, mkdirSync, openSync } from "node:fs"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../..", import.meta.url))
const built = (app) => existsSync(`${root}/${app}/dist/index.html`)

if (!built("web") || !built("admin")) {
  mkdirSync(`${root}/.ncod`, { recursive: true })
  const log = openSync(`${root}/.ncod/web-build.log`, "w")
  const npm = process.platform === "win32" ? "npm.cmd" : "npm"
  const build = spawn(npm, ["run", "build", "-w", "web", "-w", "admin"], { cwd: root, stdio: ["ignore", log, log], shell: process.platform === "win32" })
  console.log("building the web portal and the admin app in the background (log: .ncod/web-build.log)")
  build.on("exit", (code) =>
    console.log(code === 0 ? "web portal and admin app built: open the master's URL" : `building the web apps failed (exit ${code}): see .ncod/web-build.log`)
  )
}

const master = spawn(
  process.execPath,
  ["--conditions=@ncod/source", "--import", import.meta.resolve("tsx"), `${root}/master/src/bin.ts`, "serve", "--dev", ...process.argv.slice(2)],
  { cwd: process.cwd(), stdio: "inherit" }
)
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => master.kill(signal))
master.on("exit", (code, signal) => {
  if (signal) process.kill(process.pid, signal)
  else process.exit(code ?? 1)
})
