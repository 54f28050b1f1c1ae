#!/usr/bin/env node
// ncod-slave: the slave agent and its tools (see src/bin.ts).
// In a development checkout (tsx installed) it runs the TypeScript source, so a stale build never
// runs; in a production install (no devDependencies) it runs the compiled build.
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath, pathToFileURL } from "node:url"

const compiled = fileURLToPath(new URL("../dist/bin.js", import.meta.url))
const tsx = (() => {
  try {
    return import.meta.resolve("tsx")
  } catch {
    return undefined
  }
})()
if (tsx === undefined || !existsSync(fileURLToPath(new URL("../src", import.meta.url)))) {
  if (!existsSync(compiled)) {
    console.error("not built: run `npm run build` first")
    process.exit(1)
  }
  await import(pathToFileURL(compiled).href)
} else {
  const source = fileURLToPath(new URL("../src/bin.ts", import.meta.url))
  const child = spawn(
    process.execPath,
    ["--conditions=@ncod/source", "--import", tsx, source, ...process.argv.slice(2)],
    { stdio: "inherit" }
  )
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal))
  child.on("exit", (code, signal) => {
    if (signal) process.kill(process.pid, signal)
    else process.exit(code ?? 1)
  })
}
