#!/usr/bin/env node
// The simulated VirtualHere client binary (see src/vh-sim/bin/vhclient-sim.ts).
import { launch } from "./launch.js"

await launch(import.meta.url, { source: "../src/vh-sim/bin/vhclient-sim.ts", compiled: "../dist/vh-sim/bin/vhclient-sim.js" })
