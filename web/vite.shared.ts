/**
 * Build settings both apps share: standard decorators need es2022 (STACK.md), workspace packages
 * resolve to their TypeScript sources, Shoelace's icons are copied next to the bundle (only the
 * ones we use: the whole set is 8.5 MB), and `vite` in development proxies the API to a master.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { defaultClientConditions, type Plugin, type UserConfig } from "vite"

const here = path.dirname(fileURLToPath(import.meta.url))
const iconsDir = path.resolve(here, "../node_modules/@shoelace-style/shoelace/dist/assets/icons")

/** Every `<sl-icon name=…>` the apps use; a test checks the sources name no other. */
export const usedIcons = [
  "arrow-clockwise", "arrow-left", "box-arrow-right", "bell", "book", "check2-circle", "clipboard",
  "clock-history", "cpu", "diagram-3", "download", "exclamation-triangle", "hdd-network", "heart-pulse",
  "hourglass-split", "info-circle", "journal-text", "key", "laptop", "list", "pc-display", "people",
  "person-circle", "person-check", "plug", "plus-lg", "search", "shield-lock", "translate", "trash",
  "usb-symbol", "x-circle"
] as const

/**
 * Shoelace's own "system" icons (checkbox tick, select chevron, close…) are data: URLs that
 * <sl-icon> fetch()es, which the master's CSP (connect-src 'self') refuses. We write them out as
 * files and point the system library at them (kit/shoelace.ts).
 */
const systemIconNames = [
  "caret", "check", "chevron-down", "chevron-left", "chevron-right", "copy", "eye", "eye-slash", "eyedropper",
  "grip-vertical", "indeterminate", "person-fill", "play-fill", "pause-fill", "radio", "star-fill", "x-lg", "x-circle-fill"
]

const systemIcons = async (): Promise<ReadonlyArray<[string, string]>> => {
  const library = (await import("@shoelace-style/shoelace/dist/components/icon/library.system.js")).default
  return systemIconNames.map((name) => [name, decodeURIComponent(library.resolver(name).replace(/^data:image\/svg\+xml,/, "")).trim()])
}

const shoelaceIcons = (): Plugin => {
  let outDir = "dist"
  return {
    name: "ncod-shoelace-icons",
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir)
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const system = /\/shoelace\/assets\/system\/([a-z0-9-]+)\.svg$/.exec(req.url ?? "")
        if (system) {
          void systemIcons().then((icons) => {
            const icon = icons.find(([name]) => name === system[1])
            if (!icon) return next()
            res.setHeader("content-type", "image/svg+xml")
            res.end(icon[1])
          })
          return
        }
        const match = /\/shoelace\/assets\/icons\/([a-z0-9-]+)\.svg$/.exec(req.url ?? "")
        if (!match) return next()
        res.setHeader("content-type", "image/svg+xml")
        fs.createReadStream(path.join(iconsDir, `${match[1]}.svg`)).on("error", () => next()).pipe(res)
      })
    },
    async writeBundle() {
      const target = path.join(outDir, "shoelace/assets/icons")
      fs.mkdirSync(target, { recursive: true })
      for (const name of usedIcons) fs.copyFileSync(path.join(iconsDir, `${name}.svg`), path.join(target, `${name}.svg`))
      const system = path.join(outDir, "shoelace/assets/system")
      fs.mkdirSync(system, { recursive: true })
      for (const [name, svg] of await systemIcons()) fs.writeFileSync(path.join(system, `${name}.svg`), svg)
    }
  }
}

export const appConfig = (options: { readonly root: string; readonly base: "/" | "/admin/" }): UserConfig => {
  const master = process.env["NCOD_DEV_MASTER"] ?? "https://localhost:8443"
  // dev only: the local master's certificate comes from its own CA (.ncod/keys/ca.crt)
  const proxy = { target: master, changeOrigin: true, secure: false }
  return {
    root: options.root,
    base: options.base,
    esbuild: { target: "es2022" },
    resolve: { conditions: ["@ncod/source", ...defaultClientConditions] },
    build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: true, chunkSizeWarningLimit: 2000 },
    plugins: [shoelaceIcons()],
    server: {
      proxy: {
        "/api": proxy,
        "/metrics": proxy,
        "/rpc": { ...proxy, ws: true },
        ...(options.base === "/" ? { "/admin": proxy } : {})
      }
    }
  }
}
