#!/usr/bin/env node
// ncod-vh: parse VirtualHere client replies (see src/bin/ncod-vh.ts).
import { launch } from "./launch.js"

await launch(import.meta.url, { source: "../src/bin/ncod-vh.ts", compiled: "../dist/bin/ncod-vh.js" })
