// What every ncod command's launcher in */bin does: in a development checkout (tsx installed and
// the TypeScript source present) run the source, so a stale build never runs; in a production
// install (no devDependencies) run the compiled build.
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath, pathToFileURL } from "node:url"

const resolveTsx = () => {
  try {
    return import.meta.resolve("tsx")
  } catch {
    return undefined
  }
}

/**
 * `launch(import.meta.url, { source: "../src/bin.ts", compiled: "../dist/bin.js" })` runs the
 * source or the build (paths relative to the launcher), with the command line, exit code and
 * signals passed through.
 */
export const launch = async (launcherUrl, paths) => {
  const compiled = fileURLToPath(new URL(paths.compiled, launcherUrl))
  const source = fileURLToPath(new URL(paths.source, launcherUrl))
  const tsx = resolveTsx()
  if (tsx === undefined || !existsSync(source)) {
    if (!existsSync(compiled)) {
      console.error("not built: run `npm run build` first")
      process.exit(1)
    }
    await import(pathToFileURL(compiled).href)
    return
  }
  const child = spawn(process.execPath, ["--conditions=@ncod/source", "--import", tsx, source, ...process.argv.slice(2)], { stdio: "inherit" })
  // A terminal's Ctrl+C reaches both processes; the child treats a burst of SIGINTs as one, so
  // forwarding is safe and also covers a SIGINT sent to this process alone.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal))
  child.on("exit", (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal)
      process.kill(process.pid, signal)
    } else process.exit(code ?? 1)
  })
}
