import { spawn } from "node:child_process"

/**
 * Runs a vhusbd command line (ClientAuthorization or an event hook) the way vhusbd does: the
 * `$NAME$` placeholders are replaced by raw text, then the line runs through the shell and only
 * its exit status matters. Raw substitution means a value with quotes can break out of the
 * arguments; that is faithful, and the reason the slave agent's hook must distrust its inputs.
 */
export const substitutePlaceholders = (commandLine: string, values: Readonly<Record<string, string>>): string =>
  commandLine.replace(/\$([A-Z_]+)\$/g, (whole, name: string) => values[name] ?? whole)

export interface HookRun {
  readonly exitCode: number | null
  readonly timedOut: boolean
}

export const runHook = (commandLine: string, values: Readonly<Record<string, string>>, timeoutMillis: number): Promise<HookRun> =>
  new Promise((resolve) => {
    const child = spawn("/bin/sh", ["-c", substitutePlaceholders(commandLine, values)], { stdio: "ignore" })
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill("SIGKILL")
    }, timeoutMillis)
    child.on("error", () => {
      clearTimeout(timer)
      resolve({ exitCode: null, timedOut })
    })
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ exitCode: code, timedOut })
    })
  })

/** Event hooks apply to `<event>`, `<event>.<vid>` and `<event>.<vid>.<pid>`; every match runs. */
export const matchingHooks = (
  hooks: Readonly<Record<string, string>>,
  event: string,
  vendorId: string,
  productId: string
): ReadonlyArray<string> =>
  Object.entries(hooks)
    .filter(([key]) => {
      const [name, vid, pid] = key.split(".")
      return name === event && (vid === undefined || vid.toLowerCase() === vendorId) && (pid === undefined || pid.toLowerCase() === productId)
    })
    .map(([, command]) => command)
