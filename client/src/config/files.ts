import { Data, Effect, Option, Schedule } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"

/** A file in the configuration directory could not be read or written. */
export class ConfigFileError extends Data.TaggedError("ConfigFileError")<{ readonly file: string; readonly reason: string }> {
  override get message() {
    return `${this.file}: ${this.reason}`
  }
}

const failWith = (file: string) => (error: unknown) => new ConfigFileError({ file, reason: (error as Error).message ?? String(error) })

/** The directory, created private to the user (0700; on Windows %APPDATA% is already per-user). */
export const ensurePrivateDir = (dir: string) =>
  Effect.try({
    try: () => {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
      if (process.platform !== "win32") fs.chmodSync(dir, 0o700)
    },
    catch: failWith(dir)
  })

/**
 * Writes a file readable by its owner only (0600), atomically: a crash never leaves half a session
 * or half a key, and a reader in another process sees the old or the new file, never a mix.
 */
export const writePrivateFile = (file: string, content: string) =>
  Effect.zipRight(
    ensurePrivateDir(path.dirname(file)),
    Effect.try({
      try: () => {
        const temp = `${file}.${process.pid}.${Date.now()}.tmp`
        fs.writeFileSync(temp, content, { mode: 0o600 })
        if (process.platform !== "win32") fs.chmodSync(temp, 0o600)
        fs.renameSync(temp, file)
      },
      catch: failWith(file)
    })
  )

/** The text of a file, or none when it does not exist. */
export const readOptionalFile = (file: string) =>
  Effect.try({
    try: () => (fs.existsSync(file) ? Option.some(fs.readFileSync(file, "utf8")) : Option.none<string>()),
    catch: failWith(file)
  })

export const removeFile = (file: string) => Effect.try({ try: () => fs.rmSync(file, { force: true }), catch: failWith(file) })

/**
 * Runs `effect` holding `<file>.lock` (created exclusively) so two `ncod` processes of one user
 * never refresh the same session at once: the master treats a refresh token spent twice as theft
 * and revokes the whole session. A lock older than 30 s is left over from a crash and is taken.
 */
export const withFileLock = <A, E, R>(file: string, effect: Effect.Effect<A, E, R>) => {
  const lock = `${file}.lock`
  const acquire = Effect.try({
    try: () => {
      try {
        fs.writeFileSync(lock, String(process.pid), { flag: "wx", mode: 0o600 })
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
        const age = Date.now() - fs.statSync(lock).mtimeMs
        if (age < 30_000) throw new Error("locked")
        fs.rmSync(lock, { force: true })
        fs.writeFileSync(lock, String(process.pid), { flag: "wx", mode: 0o600 })
      }
    },
    catch: failWith(lock)
  }).pipe(Effect.retry(Schedule.spaced("50 millis").pipe(Schedule.upTo("15 seconds"))))
  return Effect.acquireUseRelease(
    Effect.zipRight(ensurePrivateDir(path.dirname(file)), acquire),
    () => effect,
    () => Effect.sync(() => fs.rmSync(lock, { force: true }))
  )
}
