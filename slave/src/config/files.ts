import { Data, Effect } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"

/** A file of the agent's own (config, credential, state) that cannot be read or written. */
export class AgentFileError extends Data.TaggedError("AgentFileError")<{ readonly path: string; readonly reason: string }> {
  override get message() {
    return `${this.path}: ${this.reason}`
  }
}

const reasonOf = (error: unknown) => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  if (code === "EACCES" || code === "EPERM") return "permission denied (run as root, or point NCOD_SLAVE_CONFIG_DIR/NCOD_SLAVE_STATE_DIR elsewhere)"
  if (code === "ENOENT") return "does not exist"
  return (error as Error)?.message ?? String(error)
}

/** The text of a file, or undefined when it does not exist. */
export const readIfExists = (file: string) =>
  Effect.tryPromise({
    try: () => fs.readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => (error.code === "ENOENT" ? undefined : Promise.reject(error))),
    catch: (error) => new AgentFileError({ path: file, reason: reasonOf(error) })
  })

/**
 * Writes through a temporary file and a rename, so a crash or a full disk never leaves half a
 * credential behind; the mode is set before the content is written.
 */
export const writeAtomically = (file: string, content: string, mode: number, options: { readonly durable?: boolean } = {}) =>
  Effect.tryPromise({
    try: async () => {
      await fs.mkdir(path.dirname(file), { recursive: true })
      const temporary = `${file}.${process.pid}.tmp`
      const handle = await fs.open(temporary, "w", mode)
      try {
        await handle.chmod(mode)
        await handle.writeFile(content)
        // the credential is worth an fsync; a sequence number written every report is not
        if (options.durable !== false) await handle.sync()
      } finally {
        await handle.close()
      }
      await fs.rename(temporary, file)
    },
    catch: (error) => new AgentFileError({ path: file, reason: reasonOf(error) })
  })

export const removeIfExists = (file: string) =>
  Effect.tryPromise({
    try: () => fs.rm(file, { force: true }),
    catch: (error) => new AgentFileError({ path: file, reason: reasonOf(error) })
  })

export const ensureDirectory = (dir: string, mode: number) =>
  Effect.tryPromise({
    try: () => fs.mkdir(dir, { recursive: true, mode }).then(() => undefined),
    catch: (error) => new AgentFileError({ path: dir, reason: reasonOf(error) })
  })
