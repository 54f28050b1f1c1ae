import { AuditRepo, MachinesRepo, OrgUnitsRepo, RefreshTokensRepo, UsersRepo } from "@ncod/sql"
import { Layer } from "effect"
import { Passwords } from "./accounts/Passwords.js"
import { AuditTrailLive } from "./audit/AuditTrail.js"
import { AccessControlLive } from "./auth/AccessControl.js"
import { AccessTokensLive } from "./auth/AccessTokens.js"
import { AuthSettings } from "./auth/AuthSettings.js"
import { LoginThrottleLive } from "./auth/LoginThrottle.js"
import { RefreshTokensLive } from "./auth/RefreshTokens.js"
import { SecurityMiddlewareLive } from "./auth/SecurityMiddleware.js"
import { SessionsLive } from "./auth/Sessions.js"
import type { MasterConfig } from "./config/MasterConfig.js"
import { EventBusLive } from "./events/EventBus.js"
import { ephemeralStoreLayer } from "./infra/EphemeralStore.js"
import { redisLayer } from "./infra/Redis.js"

/** Repositories over whichever database the database layer chose. */
export const RepositoriesLive = Layer.mergeAll(
  UsersRepo.Default,
  AuditRepo.Default,
  OrgUnitsRepo.Default,
  MachinesRepo.Default,
  RefreshTokensRepo.Default
)

/**
 * Every service the handlers use, wired once. Each row depends only on the rows above it;
 * everything stays in the context for the handlers.
 */
export const servicesLayer = (config: MasterConfig, keysDir: string) =>
  Layer.mergeAll(SecurityMiddlewareLive, SessionsLive).pipe(
    Layer.provideMerge(Layer.mergeAll(AccessControlLive, LoginThrottleLive)),
    Layer.provideMerge(Layer.mergeAll(AccessTokensLive, RefreshTokensLive, AuditTrailLive, ephemeralStoreLayer(config.redisPrefix))),
    Layer.provideMerge(
      Layer.mergeAll(
        RepositoriesLive,
        Passwords.layer(config.bcryptCost),
        AuthSettings.layer(config, keysDir),
        redisLayer(config.redisUrl),
        EventBusLive
      )
    )
  )
