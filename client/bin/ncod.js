#!/usr/bin/env node
// ncod: the user's client (see src/bin.ts).
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
  // A terminal's Ctrl+C reaches both processes; the child treats a burst of SIGINTs as one, so
  // forwarding is safe and also covers a SIGINT sent to this process alone.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal))
  child.on("exit", (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal)
      process.kill(process.pid, signal)
    }
    else process.exit(code ?? 1)
  })
}
