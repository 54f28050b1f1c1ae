import { PlatformConfigProvider } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { ConfigProvider, Effect, Layer } from "effect"

/**
 * Settings come from the environment; when NCOD_ENV_FILE names a file, its entries fill in what the
 * environment leaves unset (the environment wins, as operators expect).
 */
export const configProviderLayer = Layer.unwrapEffect(
  Effect.gen(function* () {
    const envFile = process.env["NCOD_ENV_FILE"]
    if (!envFile) return Layer.empty
    const fromFile = yield* PlatformConfigProvider.fromDotEnv(envFile).pipe(
      Effect.mapError((error) => new Error(`NCOD_ENV_FILE ${envFile} cannot be read (${error.message})`))
    )
    return Layer.setConfigProvider(ConfigProvider.fromEnv().pipe(ConfigProvider.orElse(() => fromFile)))
  })
).pipe(Layer.provide(NodeFileSystem.layer))
