#!/usr/bin/env node
// The simulated VirtualHere client binary (see src/vh-sim/bin/vhclient-sim.ts).
// Runs the compiled build when there is one; otherwise runs the TypeScript source through tsx
// (a root devDependency) with the workspace source condition, passing arguments, stdio and exit code.
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath, pathToFileURL } from "node:url"

const compiled = fileURLToPath(new URL("../dist/vh-sim/bin/vhclient-sim.js", import.meta.url))
if (existsSync(compiled)) {
  await import(pathToFileURL(compiled).href)
} else {
  const source = fileURLToPath(new URL("../src/vh-sim/bin/vhclient-sim.ts", import.meta.url))
  const child = spawn(
    process.execPath,
    ["--conditions=@ncod/source", "--import", import.meta.resolve("tsx"), source, ...process.argv.slice(2)],
    { stdio: "inherit" }
  )
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal))
  child.on("exit", (code, signal) => {
    if (signal) process.kill(process.pid, signal)
    else process.exit(code ?? 1)
  })
}
