import * as fs from "node:fs"

// master/package.json sits two levels above both src/meta and dist/meta.
const packageJson = new URL("../../package.json", import.meta.url)

export const masterVersion: string = (JSON.parse(fs.readFileSync(packageJson, "utf8")) as { version: string }).version
