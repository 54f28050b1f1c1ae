#!/usr/bin/env node
// ncod-slave-hook: what vhusbd runs for client authorization and events (see src/hook-bin.ts).
// In a development checkout (tsx installed) it runs the TypeScript source, so a stale build never
// runs; in a production install (no devDependencies) it runs the compiled build, which imports
// nothing but Node built-ins so it answers fast.
// Exit status 1 means ALLOW to vhusbd: every failure here exits 0 (deny), never 1.
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath, pathToFileURL } from "node:url"

const deny = 0
const compiled = fileURLToPath(new URL("../dist/hook-bin.js", import.meta.url))
const tsx = (() => {
  try {
    return import.meta.resolve("tsx")
  } catch {
    return undefined
  }
})()
if (tsx === undefined || !existsSync(fileURLToPath(new URL("../src", import.meta.url)))) {
  if (!existsSync(compiled)) {
    console.error("ncod-slave-hook: not built (run `npm run build`): denying")
    process.exit(deny)
  }
  await import(pathToFileURL(compiled).href)
} else {
  const source = fileURLToPath(new URL("../src/hook-bin.ts", import.meta.url))
  const child = spawn(
    process.execPath,
    ["--conditions=@ncod/source", "--import", tsx, source, ...process.argv.slice(2)],
    { stdio: "inherit" }
  )
  child.on("error", () => process.exit(deny))
  child.on("exit", (code) => process.exit(code ?? deny))
}
