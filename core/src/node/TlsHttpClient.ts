import { NodeHttpClient } from "@effect/platform-node"
import { Layer } from "effect"

/**
 * An HttpClient that trusts exactly the given CA (the master's, pinned at enrollment or login)
 * instead of the system store; with no CA it uses the system store.
 */
export const tlsHttpClientLayer = (ca: string | undefined) =>
  NodeHttpClient.layerWithoutAgent.pipe(
    Layer.provide(NodeHttpClient.makeAgentLayer(ca === undefined ? {} : { ca, minVersion: "TLSv1.2" }))
  )
