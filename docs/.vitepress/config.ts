import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { type DefaultTheme, defineConfig } from "vitepress"
import { withMermaid } from "vitepress-plugin-mermaid"
import { manualPages } from "./scripts/manual.js"

/**
 * Heading anchors as GitHub makes them, so a link written for the repository (`systemd.md#10-monitoring`)
 * lands on the same heading on the site: lower case, punctuation dropped, spaces to hyphens.
 */
const githubSlug = (text: string) =>
  text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "")
    .replace(/ /g, "-")

const docs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

/** Pages other people write (or generate) may not exist yet: list only those that do. */
const ifExists = (file: string, item: DefaultTheme.SidebarItem): ReadonlyArray<DefaultTheme.SidebarItem> =>
  fs.existsSync(path.join(docs, file)) ? [item] : []

const manual = (locale: "en" | "zh"): ReadonlyArray<DefaultTheme.SidebarItem> =>
  manualPages(locale).map((page) => ({ text: page.title, link: `/manual/${locale}/${page.slug}` }))

const guide: DefaultTheme.SidebarItem = {
  text: "Guide",
  items: [
    { text: "Overview", link: "/guide/overview" },
    { text: "Architecture", link: "/guide/architecture" },
    { text: "Quick start with the simulator", link: "/guide/quick-start" }
  ]
}

const install: DefaultTheme.SidebarItem = {
  text: "Installation",
  items: [
    { text: "Overview", link: "/install/" },
    { text: "Master in production", link: "/deploy/README" },
    { text: "Master with Docker Compose", link: "/deploy/compose" },
    { text: "Master with systemd", link: "/deploy/systemd" },
    { text: "Certificates and keys", link: "/deploy/certificates" },
    { text: "Upgrades", link: "/deploy/upgrades" },
    ...ifExists("slave.md", { text: "Slave (install.sh)", link: "/slave" }),
    ...ifExists("client.md", { text: "Client (Windows, Linux, macOS)", link: "/client" })
  ]
}

const reference: DefaultTheme.SidebarItem = {
  text: "Reference",
  items: [
    { text: "Configuration", link: "/reference/configuration" },
    { text: "HTTP API", link: "/reference/api" },
    { text: "Error codes", link: "/reference/errors" },
    { text: "TypeScript API of core", link: "/reference/typedoc/" },
    { text: "Security model", link: "/security" }
  ]
}

const operations: DefaultTheme.SidebarItem = {
  text: "Operations",
  items: [
    { text: "Monitoring and alerts", link: "/operations/monitoring" },
    { text: "Backups and restore", link: "/operations/backup" },
    ...ifExists("performance.md", { text: "Performance", link: "/performance" }),
    { text: "Troubleshooting", link: "/troubleshooting" }
  ]
}

const manuals: DefaultTheme.SidebarItem = {
  text: "Manuals",
  items: [
    { text: "About the manuals", link: "/manual/" },
    { text: "User manual (English)", collapsed: true, items: [...manual("en")] },
    { text: "用户手册（中文）", collapsed: true, items: [...manual("zh")] },
    { text: "Admin manual (English)", link: "/manual/admin.en" },
    { text: "管理员手册（中文）", link: "/manual/admin.zh" },
    ...ifExists("screenshots.md", { text: "Screenshots", link: "/screenshots" })
  ]
}

const coreModules: DefaultTheme.SidebarItem = {
  text: "TypeScript API of core",
  items: [
    { text: "All modules", link: "/reference/typedoc/" },
    { text: "@ncod/core", link: "/reference/typedoc/core/" },
    { text: "@ncod/core/node", link: "/reference/typedoc/core/node/" },
    { text: "@ncod/core/vh-node", link: "/reference/typedoc/core/vh-node/" },
    { text: "@ncod/core/vh-sim", link: "/reference/typedoc/core/vh-sim/" },
    { text: "← Reference", link: "/reference/" }
  ]
}

export default withMermaid(
  defineConfig({
    title: "ncod",
    description: "Share USB devices across a LAN through VirtualHere, and decide who may use them",
    lang: "en",
    // folder READMEs are for people browsing the repository (they link into web/…), and generated
    // fragments are included into pages: neither is a page of its own
    srcExclude: ["README.md", "manual/README.md", "reference/generated/**"],
    // a dead link fails the build (the default, said out loud)
    ignoreDeadLinks: false,
    cleanUrls: false,
    markdown: { lineNumbers: false, anchor: { slugify: githubSlug }, headers: { slugify: githubSlug } },
    themeConfig: {
      nav: [
        { text: "Guide", link: "/guide/overview" },
        { text: "Install", link: "/install/" },
        { text: "Reference", link: "/reference/" },
        { text: "Operations", link: "/operations/monitoring" },
        { text: "Manuals", link: "/manual/" }
      ],
      sidebar: {
        "/reference/typedoc/": [coreModules],
        "/": [guide, install, reference, operations, manuals]
      },
      outline: { level: [2, 3] },
      search: { provider: "local" },
      footer: { message: "ncod — MIT licence. This site is built from docs/ of the repository (npm run docs:build)." }
    },
    mermaid: { securityLevel: "strict" },
    vite: {
      // the site is built on machines without internet access: nothing may be fetched at build time
      build: { chunkSizeWarningLimit: 4096 }
    }
  })
)
