import { NodeHttpClient } from "@effect/platform-node"
import { Layer } from "effect"

/**
 * An HttpClient that trusts exactly the given CA (the master's, pinned at enrollment or login)
 * instead of the system store; with no CA it uses the system store.
 *
 * Connections are kept open between requests (a Node agent closes them by default): a slave that
 * reports every 30 s then reuses one connection for as long as the master keeps it
 * (`NCOD_HTTP_KEEPALIVE_SECONDS`, 75 s) instead of paying a TLS handshake per report.
 */
export const tlsHttpClientLayer = (ca: string | undefined) =>
  NodeHttpClient.layerWithoutAgent.pipe(
    Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true, ...(ca === undefined ? {} : { ca, minVersion: "TLSv1.2" }) }))
  )
