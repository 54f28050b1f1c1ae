import { Data, Duration, Effect } from "effect"
import * as fs from "node:fs"
import { Worker } from "node:worker_threads"
import { acquireDataDirLock } from "./DataDirLock.js"

export class EmbeddedPostgresFailed extends Data.TaggedError("EmbeddedPostgresFailed")<{ readonly reason: string }> {
  override get message() {
    return `the embedded database could not start: ${this.reason}`
  }
}

type HostMessage =
  | { readonly type: "ready"; readonly port: number; readonly version: string }
  | { readonly type: "failed"; readonly message: string }
  | { readonly type: "stopped" }

export interface EmbeddedPostgres {
  readonly host: string
  readonly port: number
  readonly version: string
}

// The host script sits at sql/worker/, one level above both src/ and dist/, so one relative URL
// works under tsx, vitest and the compiled build.
const hostScript = new URL("../../worker/pglite-host.mjs", import.meta.url)

const waitFor = <T extends HostMessage["type"]>(worker: Worker, type: T) =>
  Effect.async<Extract<HostMessage, { type: T }>, EmbeddedPostgresFailed>((resume) => {
    const onMessage = (message: HostMessage) => {
      if (message.type === type) resume(Effect.succeed(message as Extract<HostMessage, { type: T }>))
      else if (message.type === "failed") resume(Effect.fail(new EmbeddedPostgresFailed({ reason: message.message })))
    }
    const onError = (error: Error) => resume(Effect.fail(new EmbeddedPostgresFailed({ reason: error.message })))
    const onExit = (code: number) =>
      resume(Effect.fail(new EmbeddedPostgresFailed({ reason: `the database worker exited with code ${code}` })))
    worker.on("message", onMessage).on("error", onError).on("exit", onExit)
    return Effect.sync(() => {
      worker.off("message", onMessage).off("error", onError).off("exit", onExit)
    })
  })

/**
 * Starts PGlite on a free loopback port in a worker thread, persisting to `dataDir`. Stopping the
 * scope flushes and closes the database before the worker ends.
 */
export const startEmbeddedPostgres = (dataDir: string) =>
  Effect.gen(function* () {
    yield* Effect.sync(() => fs.mkdirSync(dataDir, { recursive: true }))
    yield* acquireDataDirLock(dataDir)
    const host = "127.0.0.1"
    const worker = yield* Effect.acquireRelease(
      Effect.sync(() => new Worker(hostScript, { workerData: { dataDir, host } })),
      (worker) =>
        Effect.gen(function* () {
          worker.postMessage({ type: "stop" })
          yield* waitFor(worker, "stopped").pipe(Effect.timeout(Duration.seconds(15)), Effect.ignore)
          yield* Effect.promise(() => worker.terminate())
        })
    )
    const ready = yield* waitFor(worker, "ready").pipe(
      Effect.timeoutFail({
        duration: Duration.seconds(120),
        onTimeout: () => new EmbeddedPostgresFailed({ reason: "it did not start within 120 s" })
      })
    )
    return { host, port: ready.port, version: ready.version } satisfies EmbeddedPostgres
  })
