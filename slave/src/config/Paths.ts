import * as path from "node:path"

/**
 * Where the agent keeps things. Defaults suit a systemd install as root; every path can be moved
 * by an environment variable (tests, containers, non-root runs) or a command-line flag.
 */
export interface AgentPaths {
  /** `config.json` (settings, 0644), `enrollment.json` (credential, 0600), `ca.crt` (the pinned CA). */
  readonly configDir: string
  /** `seq` (last report sequence number), `inventory.json` (last devices seen), `machine-id` when /etc/machine-id is unusable. */
  readonly stateDir: string
  /** The agent's local socket: the hook and `status` talk to the running agent through it. */
  readonly socketPath: string
  /** Source of the machine fingerprint (hashed before it leaves the machine). */
  readonly machineIdFile: string
}

export const defaultPaths: AgentPaths = {
  configDir: "/etc/ncod-slave",
  stateDir: "/var/lib/ncod-slave",
  socketPath: "/run/ncod-slave/agent.sock",
  machineIdFile: "/etc/machine-id"
}

export const pathEnv = {
  configDir: "NCOD_SLAVE_CONFIG_DIR",
  stateDir: "NCOD_SLAVE_STATE_DIR",
  socketPath: "NCOD_SLAVE_SOCKET",
  machineIdFile: "NCOD_SLAVE_MACHINE_ID_FILE"
} as const

const nonEmpty = (value: string | undefined) => (value === undefined || value.trim() === "" ? undefined : value)

/** Flags win over the environment, which wins over the defaults. */
export const resolvePaths = (flags: Partial<AgentPaths> = {}, env: NodeJS.ProcessEnv = process.env): AgentPaths => {
  const pick = (key: keyof AgentPaths) => path.resolve(nonEmpty(flags[key]) ?? nonEmpty(env[pathEnv[key]]) ?? defaultPaths[key])
  return { configDir: pick("configDir"), stateDir: pick("stateDir"), socketPath: pick("socketPath"), machineIdFile: pick("machineIdFile") }
}

export const configFiles = (paths: AgentPaths) => ({
  settings: path.join(paths.configDir, "config.json"),
  enrollment: path.join(paths.configDir, "enrollment.json"),
  ca: path.join(paths.configDir, "ca.crt"),
  seq: path.join(paths.stateDir, "seq"),
  inventory: path.join(paths.stateDir, "inventory.json"),
  machineId: path.join(paths.stateDir, "machine-id")
})
