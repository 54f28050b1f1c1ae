import * as path from "node:path"

/**
 * Where the client keeps its files: the user's configuration directory for the OS, or
 * `NCOD_CLIENT_HOME` (tests, portable installs).
 */
export const configDirFor = (
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform,
  home: string
): string => {
  const override = env["NCOD_CLIENT_HOME"]
  if (override) return path.resolve(override)
  if (platform === "win32") {
    const appData = env["APPDATA"] || path.win32.join(home, "AppData", "Roaming")
    return path.win32.join(appData, "ncod")
  }
  if (platform === "darwin") return path.posix.join(home, "Library", "Application Support", "ncod")
  const xdg = env["XDG_CONFIG_HOME"]
  // XDG: a relative XDG_CONFIG_HOME is invalid and must be ignored
  return path.posix.join(xdg && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(home, ".config"), "ncod")
}

/** The files in the configuration directory. */
export const ClientFiles = {
  config: "config.json",
  session: "session.json",
  machineKey: "machine-key.json",
  ca: "master-ca.pem"
} as const

export const filePath = (dir: string, file: keyof typeof ClientFiles) => path.join(dir, ClientFiles[file])
