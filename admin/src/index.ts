/**
 * @ncod/admin: the admin application. Nothing imports it; it starts from `main.ts`. Exported for
 * tests only: the pure helpers of its data modules.
 */
export * as auditData from "./data/audit.js"
export * as fleetData from "./data/fleet.js"
export * as metricsData from "./data/metrics.js"
export * as orgUnitsAdminData from "./data/orgUnits.js"
