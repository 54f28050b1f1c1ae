import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll } from "@effect/vitest"
import { build } from "esbuild"
import { describeVhClientSuite } from "./testing/VhClientSuite.js"
import { VhClient } from "./VhClient.js"

// The simulated binary is bundled from source once (esbuild, which tsx and vite already bring),
// so every `-t` call starts in a fraction of the time tsx needs and never runs a stale build.
const simBinary = fileURLToPath(new URL("../vh-sim/bin/vhclient-sim.ts", import.meta.url))
let bundleDir = ""
let bundled = ""

beforeAll(async () => {
  bundleDir = await fs.mkdtemp(path.join(os.tmpdir(), "vhclient-sim-bundle-"))
  bundled = path.join(bundleDir, "vhclient-sim.mjs")
  await build({
    entryPoints: [simBinary],
    outfile: bundled,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["@ncod/source"],
    logLevel: "silent"
  })
})
afterAll(async () => {
  await fs.rm(bundleDir, { recursive: true, force: true })
})

describeVhClientSuite({
  name: "the -t executable",
  timeoutMillis: 5_000,
  layer: (site) =>
    VhClient.layerExec({
      binary: process.execPath,
      args: [bundled],
      env: { VHCLIENT_COMMAND_PIPE: site.commandPipe, VHCLIENT_RESPONSE_PIPE: site.responsePipe, VHCLIENT_SIM_TIMEOUT_MS: "60000" },
      timeout: "5 seconds"
    })
})
