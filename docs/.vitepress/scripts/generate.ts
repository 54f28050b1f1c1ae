/**
 * Writes every generated page of the docs site before `vitepress build` (npm run docs:build):
 * the configuration reference, the error reference, the OpenAPI document, TypeDoc of core, and the
 * pages that include the portal's manual. Outputs are git-ignored. A mismatch between a README and
 * the code it documents stops here with the names at fault.
 *
 *   node --conditions=@ncod/source --import tsx docs/.vitepress/scripts/generate.ts [--skip-typedoc]
 */
import { generateErrors } from "./errors.js"
import { generateManual } from "./manual.js"
import { generateOpenApi } from "./openapi.js"
import { SourceDrift } from "./paths.js"
import { generateSettings } from "./settings.js"
import { generateTypeDoc } from "./typedoc.js"

const step = async <A>(name: string, run: () => A | Promise<A>) => {
  const started = performance.now()
  const result = await run()
  console.log(`docs: ${name} (${Math.round(performance.now() - started)} ms)`)
  return result
}

try {
  const openapi = await step("OpenAPI document → docs/public/openapi.json", generateOpenApi)
  await step("configuration reference → docs/reference/generated/*-settings.md", generateSettings)
  await step("error reference → docs/reference/generated/errors.md", () => generateErrors(openapi))
  const manual = await step("manual pages → docs/manual/{en,zh}/", generateManual)
  console.log(`docs: manual pages included: ${manual.join(", ") || "none"}`)
  if (!process.argv.includes("--skip-typedoc")) await step("TypeDoc of core → docs/reference/typedoc/", generateTypeDoc)
} catch (error) {
  if (error instanceof SourceDrift) {
    console.error(`docs: the sources disagree: ${error.message}`)
    process.exit(1)
  }
  throw error
}
