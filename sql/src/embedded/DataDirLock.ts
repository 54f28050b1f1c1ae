import { Data, Effect } from "effect"
import * as fs from "node:fs"

export class DataDirLocked extends Data.TaggedError("DataDirLocked")<{ readonly dataDir: string; readonly pid: number }> {
  override get message() {
    return `the embedded database ${this.dataDir} is in use by process ${this.pid}; stop it or set NCOD_DATA_DIR to another directory`
  }
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/**
 * PGlite has no postmaster.pid: two processes opening one data directory would corrupt it. A lock
 * file beside the directory, holding our pid, keeps a second master out; a stale one is replaced.
 */
export const acquireDataDirLock = (dataDir: string) => {
  const lockPath = `${dataDir}.lock`
  return Effect.acquireRelease(
    Effect.gen(function* () {
      for (let attempt = 0; attempt < 2; attempt++) {
        const taken = yield* Effect.try({
          try: () => {
            fs.writeFileSync(lockPath, String(process.pid), { flag: "wx" })
            return true
          },
          catch: (error) => error as NodeJS.ErrnoException
        }).pipe(Effect.catchIf((error) => error.code === "EEXIST", () => Effect.succeed(false)), Effect.orDie)
        if (taken) return lockPath
        const holder = Number(fs.readFileSync(lockPath, "utf8").trim())
        if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
          return yield* new DataDirLocked({ dataDir, pid: holder })
        }
        fs.rmSync(lockPath, { force: true })
      }
      return yield* new DataDirLocked({ dataDir, pid: -1 })
    }),
    (lockPath) => Effect.sync(() => fs.rmSync(lockPath, { force: true }))
  )
}
