// Hosts the embedded PostgreSQL (PGlite) in a worker thread and serves it on loopback with
// pglite-socket. PGlite runs WASM on the calling thread and would block the master's event loop,
// so it lives here. Plain JavaScript on purpose: the worker must start the same way under tsx,
// vitest and the compiled build. Protocol with the parent: see sql/src/embedded/EmbeddedPostgres.ts.
import { PGlite } from "@electric-sql/pglite"
import { PGLiteSocketServer } from "@electric-sql/pglite-socket"
import { parentPort, workerData } from "node:worker_threads"

const { dataDir, host } = workerData

let db
let server
try {
  db = await PGlite.create(dataDir)
  // One connection: PGlite is a single session, and multiplexing would interleave transactions.
  server = new PGLiteSocketServer({ db, host, port: 0, maxConnections: 1 })
  await server.start()
  const port = Number(server.getServerConn().split(":").pop())
  parentPort.postMessage({ type: "ready", port, version: (await db.query("show server_version")).rows[0]?.server_version })
} catch (error) {
  parentPort.postMessage({ type: "failed", message: error instanceof Error ? error.message : String(error) })
}

parentPort.on("message", async (message) => {
  if (message?.type !== "stop") return
  try {
    await server?.stop()
    await db?.close()
  } finally {
    parentPort.postMessage({ type: "stopped" })
  }
})
