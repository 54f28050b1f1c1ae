#!/usr/bin/env node
// ncod: the user's client (see src/bin.ts).
import { launch } from "@ncod/core/launch"

await launch(import.meta.url, { source: "../src/bin.ts", compiled: "../dist/bin.js" })
