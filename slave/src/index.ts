/**
 * @ncod/slave: the agent beside vhusbd. The programs are `ncod-slave` (src/bin.ts) and
 * `ncod-slave-hook` (src/hook-bin.ts); these exports exist for tests and tooling.
 */
export { runAgent, type AgentOptions } from "./agent/Agent.js"
export { backoffDelayMs } from "./agent/Backoff.js"
export type { AgentHealth } from "./agent/Health.js"
export { resolvePaths, type AgentPaths } from "./config/Paths.js"
export { defaultSettings, loadSettings, type AgentSettings } from "./config/Settings.js"
export { authorize, type Decision } from "./hook/Authorize.js"
export { nextReportDelayMs } from "./reporter/ReportSchedule.js"
export { askAgent, type AgentRequest } from "./hook/protocol.js"
export { buildDevices } from "./scanner/Inventory.js"
export { readSysfs, type SysfsScan, type SysfsUsbDevice } from "./scanner/Sysfs.js"
