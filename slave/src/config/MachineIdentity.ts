import { Effect } from "effect"
import { createHmac, randomUUID } from "node:crypto"
import { readIfExists, writeAtomically } from "./files.js"
import { type AgentPaths, configFiles } from "./Paths.js"

/**
 * The stable identity the master recognises this machine by (re-enrolling keeps the slave's id).
 * systemd asks applications not to publish /etc/machine-id itself, so what leaves the machine is an
 * HMAC of it keyed for ncod. Without a usable machine-id (containers), a UUID generated once and
 * kept in the state directory stands in.
 */
export const machineFingerprint = (paths: AgentPaths) =>
  Effect.gen(function* () {
    const fromSystem = (yield* readIfExists(paths.machineIdFile).pipe(Effect.orElseSucceed(() => undefined)))?.trim()
    let id = fromSystem !== undefined && /^[0-9a-fA-F-]{16,64}$/.test(fromSystem) ? fromSystem : undefined
    if (id === undefined) {
      const file = configFiles(paths).machineId
      id = (yield* readIfExists(file))?.trim()
      if (id === undefined || id.length < 16) {
        id = randomUUID()
        yield* writeAtomically(file, `${id}\n`, 0o644)
      }
    }
    return `ncod-slave:${createHmac("sha256", "ncod-slave machine fingerprint").update(id.toLowerCase()).digest("hex")}`
  })
