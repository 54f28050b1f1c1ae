import { Master, type MasterSettings } from "./master.js"
import { ProcSampler } from "./proc.js"
import { say } from "./report.js"

/**
 * Starts the master for a run, with a sampler (every 500 ms) already watching this process and
 * then the master: every scenario measures both from the start.
 */
export const startSampledMaster = async (settings: MasterSettings, extra = "") => {
  const sampler = new ProcSampler(500)
  sampler.set("bench", [process.pid])
  sampler.start()
  say(`starting the master (${settings.postgresServer ? "PostgreSQL" : "embedded database"}${settings.redisUrl ? ", Redis" : ""})${extra}`)
  const master = await Master.start(settings)
  sampler.set("master", master.pids)
  return { sampler, master }
}
