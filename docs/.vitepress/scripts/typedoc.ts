/**
 * TypeDoc for the public TypeScript surface of `core` (the main entry and its Node-only subpaths),
 * as Markdown pages the site renders under /reference/core/.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { Application, Converter, type DeclarationReflection, type ProjectReflection, ReflectionKind } from "typedoc"
import { out, repo } from "./paths.js"

export const coreEntryPoints = {
  "@ncod/core": "core/src/index.ts",
  "@ncod/core/node": "core/src/node/index.ts",
  "@ncod/core/vh-node": "core/src/vh-node/index.ts",
  "@ncod/core/vh-sim": "core/src/vh-sim/index.ts"
} as const

/** Instance members every Error and Effect data type carries: noise on each page. */
const machinery = new Set(["stack", "cause", "name", "message", "pipe", "toJSON", "toString"])

/**
 * Members a class inherits from Effect's own classes (Schema.Class, TaggedError, HttpApiGroup, …)
 * are Effect's documentation, not ours, and make every page enormous. Keep the inherited instance
 * properties — for a Schema class those are the entity's fields — and drop the rest: static
 * members (`make`, `fields`, `annotations`…), methods, symbols and Error's own properties.
 */
const dropInherited = (project: ProjectReflection) => {
  for (const owner of project.getReflectionsByKind(ReflectionKind.Class | ReflectionKind.Interface)) {
    for (const child of [...((owner as DeclarationReflection).children ?? [])]) {
      if (child.inheritedFrom === undefined) continue
      const keep = child.kind === ReflectionKind.Property && !child.flags.isStatic && !child.name.startsWith("[") && !machinery.has(child.name)
      if (!keep) project.removeReflection(child)
      // "inherited from Schema.Class<Device>({ …the whole definition… })" says nothing: it is the class itself
      else delete child.inheritedFrom
    }
    // every class of core extends an Effect factory, which TypeDoc can only show as `object & object …`
    if (owner.kind === ReflectionKind.Class) delete (owner as DeclarationReflection).extendedTypes
  }
}

export const generateTypeDoc = async () => {
  fs.rmSync(out.typedoc, { recursive: true, force: true })
  const app = await Application.bootstrapWithPlugins({
    entryPoints: Object.values(coreEntryPoints).map((entry) => path.join(repo, entry)),
    tsconfig: path.join(repo, "core/tsconfig.json"),
    plugin: ["typedoc-plugin-markdown"],
    out: out.typedoc,
    name: "@ncod/core",
    readme: "none",
    entryFileName: "index.md",
    excludeScopesInPaths: true,
    hidePageHeader: true,
    hideBreadcrumbs: true,
    useCodeBlocks: true,
    sanitizeComments: true,
    disableSources: true,
    excludePrivate: true,
    excludeInternal: true,
    excludeExternals: true,
    skipErrorChecking: true,
    logLevel: "Error",
    validation: { notExported: false, invalidLink: false, notDocumented: false }
  } as Parameters<typeof Application.bootstrapWithPlugins>[0])
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => dropInherited(context.project))
  const project = await app.convert()
  if (project === undefined) throw new Error("TypeDoc could not convert core's entry points")
  // TypeDoc names the modules after their folders (index, node, vh-node, vh-sim): name them as
  // people import them; excludeScopesInPaths keeps the "@ncod" scope out of the page paths
  for (const module of project.getReflectionsByKind(ReflectionKind.Module)) {
    module.name = module.name === "index" ? "@ncod/core" : `@ncod/core/${module.name}`
  }
  await app.generateOutputs(project)
  return project.getReflectionsByKind(ReflectionKind.Module).map((module) => module.name)
}
