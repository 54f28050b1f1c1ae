import {
  AuditRepo,
  DevicesRepo,
  EnrollmentTokensRepo,
  GrantsRepo,
  LeasesRepo,
  MachinesRepo,
  OrgUnitsRepo,
  RefreshTokensRepo,
  SlavesRepo,
  UsersRepo
} from "@ncod/sql"
import { Layer } from "effect"
import { Passwords } from "./accounts/Passwords.js"
import { AuditTrailLive } from "./audit/AuditTrail.js"
import { AccessControlLive } from "./auth/AccessControl.js"
import { accountCacheLayer, trackedMachinesRepo, trackedUsersRepo } from "./auth/AccountCache.js"
import { AccessTokensLive } from "./auth/AccessTokens.js"
import { AuthSettings } from "./auth/AuthSettings.js"
import { LoginThrottleLive } from "./auth/LoginThrottle.js"
import { RefreshTokensLive } from "./auth/RefreshTokens.js"
import { SecurityMiddlewareLive } from "./auth/SecurityMiddleware.js"
import { SessionsLive } from "./auth/Sessions.js"
import { inventoryCacheLayer } from "./cache/InventoryCache.js"
import type { MasterConfig } from "./config/MasterConfig.js"
import { eventBusLayer } from "./events/EventBus.js"
import { PublicUrl } from "./fleet/AdminFleetHandlers.js"
import { FleetSettings } from "./fleet/FleetSettings.js"
import { FleetSupervisorLive } from "./fleet/FleetSupervisor.js"
import { HeartbeatBatcherLive } from "./fleet/HeartbeatBatcher.js"
import { OfflineSweeperLive } from "./fleet/OfflineSweeper.js"
import { ReportIngestLive } from "./fleet/ReportIngest.js"
import { ReportsInFlightLive } from "./fleet/ReportsInFlight.js"
import { SlaveAuthLive, SlaveCredentialsLive } from "./fleet/SlaveCredentials.js"
import { ephemeralStoreLayer } from "./infra/EphemeralStore.js"
import { LeaseServiceLive } from "./leases/LeaseService.js"
import { LeaseSettings } from "./leases/LeaseSettings.js"
import { LeaseSupervisorLive } from "./leases/LeaseSupervisor.js"
import { redisLayer } from "./infra/Redis.js"
import { gaugesLayer, type GaugeOptions } from "./metrics/Gauges.js"
import { MetricsLive } from "./metrics/Metrics.js"

/** Repositories over whichever database the database layer chose. */
export const RepositoriesLive = Layer.mergeAll(
  UsersRepo.Default,
  AuditRepo.Default,
  OrgUnitsRepo.Default,
  MachinesRepo.Default,
  RefreshTokensRepo.Default,
  SlavesRepo.Default,
  DevicesRepo.Default,
  GrantsRepo.Default,
  EnrollmentTokensRepo.Default,
  LeasesRepo.Default
)

export interface ServiceOptions extends GaugeOptions {
  readonly keysDir: string
  readonly publicUrl: string
}

/**
 * Every service the handlers use, wired once. Each row depends only on the rows below it;
 * everything stays in the context for the handlers.
 */
export const servicesLayer = (config: MasterConfig, options: ServiceOptions) =>
  Layer.mergeAll(
    SecurityMiddlewareLive,
    SessionsLive,
    SlaveAuthLive,
    FleetSupervisorLive,
    OfflineSweeperLive,
    LeaseSupervisorLive,
    gaugesLayer(options)
  ).pipe(
    Layer.provideMerge(
      Layer.mergeAll(AccessControlLive, LoginThrottleLive, inventoryCacheLayer(config.redisPrefix), ReportIngestLive, HeartbeatBatcherLive, SlaveCredentialsLive, ReportsInFlightLive)
    ),
    Layer.provideMerge(LeaseServiceLive),
    Layer.provideMerge(
      Layer.mergeAll(
        AccessTokensLive,
        RefreshTokensLive,
        AuditTrailLive,
        ephemeralStoreLayer(config.redisPrefix),
        eventBusLayer(config.redisPrefix)
      )
    ),
    // every service above sees the account repositories whose writes drop cached account rows
    Layer.provideMerge(
      Layer.mergeAll(trackedUsersRepo, trackedMachinesRepo).pipe(Layer.provideMerge(accountCacheLayer(config.redisPrefix)))
    ),
    Layer.provideMerge(
      Layer.mergeAll(
        RepositoriesLive,
        Passwords.layer(config.bcryptCost, config.bcryptConcurrency),
        AuthSettings.layer(config, options.keysDir),
        FleetSettings.layer(config),
        LeaseSettings.layer(config),
        redisLayer(config.redisUrl),
        MetricsLive,
        Layer.succeed(PublicUrl, { url: options.publicUrl })
      )
    )
  )
