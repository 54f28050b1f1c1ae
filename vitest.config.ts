import { defineConfig } from "vitest/config"

// Workspace packages resolve to their TypeScript sources through the "@ncod/source" export
// condition, so tests never need a build first.
export default defineConfig({
  resolve: { conditions: ["@ncod/source"] },
  ssr: { resolve: { conditions: ["@ncod/source"], externalConditions: ["@ncod/source"] } },
  test: {
    include: ["*/src/**/*.test.ts", "*/test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks"
  }
})
