import { Context, Layer } from "effect"
import type { MasterConfig } from "../config/MasterConfig.js"

/** The authentication knobs, handed to the auth services as values (never read from env there). */
export class AuthSettings extends Context.Tag("@ncod/master/AuthSettings")<
  AuthSettings,
  Pick<
    MasterConfig,
    | "accessTokenTtlSeconds"
    | "refreshTokenTtlSeconds"
    | "loginMaxFailures"
    | "loginIpMaxFailures"
    | "loginLockoutSeconds"
    | "registrationsPerHour"
    | "trustProxy"
    | "keysDir"
  > & { readonly keysPath: string }
>() {
  static readonly layer = (config: MasterConfig, keysPath: string) => Layer.succeed(AuthSettings, { ...config, keysPath })
}
