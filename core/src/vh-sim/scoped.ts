import { Effect } from "effect"
import { SimClientDaemon, type SimClientDaemonOptions } from "./SimClientDaemon.js"
import { SimUsbServer, type SimUsbServerOptions } from "./SimUsbServer.js"

/** Simulated server for the life of a scope (tests, the demo fleet). */
export const simUsbServerScoped = (options: SimUsbServerOptions) =>
  Effect.acquireRelease(
    Effect.promise(() => SimUsbServer.start(options)),
    (server) => Effect.promise(() => server.stop())
  )

/** Simulated client daemon for the life of a scope. */
export const simClientDaemonScoped = (options: SimClientDaemonOptions) =>
  Effect.acquireRelease(
    Effect.promise(() => SimClientDaemon.start(options)),
    (daemon) => Effect.promise(() => daemon.stop())
  )
