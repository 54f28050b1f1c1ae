import { fileURLToPath } from "node:url"
import { defineConfig } from "vite"
import { appConfig } from "./vite.shared.js"

export default defineConfig(appConfig({ root: fileURLToPath(new URL(".", import.meta.url)), base: "/" }))
