#!/usr/bin/env node
// The simulated vhusbd server (see src/vh-sim/bin/vhusbd-sim.ts).
import { launch } from "./launch.js"

await launch(import.meta.url, { source: "../src/vh-sim/bin/vhusbd-sim.ts", compiled: "../dist/vh-sim/bin/vhusbd-sim.js" })
