import { Context, Layer } from "effect"
import type { MasterConfig } from "../config/MasterConfig.js"

export class LeaseSettings extends Context.Tag("@ncod/master/LeaseSettings")<
  LeaseSettings,
  Pick<
    MasterConfig,
    "leaseDefaultMinutes" | "leaseMaxMinutes" | "leaseKeepAliveSeconds" | "leaseGraceSeconds" | "leaseWarnMinutes" | "claimWindowSeconds"
  >
>() {
  static readonly layer = (config: MasterConfig) => Layer.succeed(LeaseSettings, config)
}
