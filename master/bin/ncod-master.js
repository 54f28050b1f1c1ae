#!/usr/bin/env node
// ncod-master: the master server and its tools (see src/bin.ts).
import { launch } from "@ncod/core/launch"

await launch(import.meta.url, { source: "../src/bin.ts", compiled: "../dist/bin.js" })
