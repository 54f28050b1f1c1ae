import { SlaveId } from "@ncod/core"
import { Effect, Either, Option, Schema } from "effect"
import * as fs from "node:fs/promises"
import { AgentFileError, readIfExists, removeIfExists, writeAtomically } from "./files.js"
import { type AgentPaths, configFiles } from "./Paths.js"

/**
 * `enrollment.json` (0600): who this slave is to the master and the secret it proves it with.
 * Written by `enroll`, removed by `deregister`; the running agent re-reads it when it changes, so
 * re-enrolling needs no restart.
 */
export const EnrollmentRecord = Schema.Struct({
  masterUrl: Schema.String,
  slaveId: SlaveId,
  name: Schema.String,
  credential: Schema.Redacted(Schema.String),
  reportIntervalSeconds: Schema.Number,
  /** SHA-256 of the pinned CA (`ca.crt` beside this file), as `sha256:AB:CD:…`. */
  caFingerprint: Schema.String,
  enrolledAt: Schema.String
})
export type EnrollmentRecord = typeof EnrollmentRecord.Type

export interface Enrolled {
  readonly record: EnrollmentRecord
  /** The pinned CA (PEM). */
  readonly ca: string
  /** Modification time of enrollment.json, to notice a re-enrollment. */
  readonly version: number
}

const mtime = (file: string) =>
  Effect.tryPromise({ try: () => fs.stat(file), catch: () => undefined }).pipe(
    Effect.map((stat) => stat.mtimeMs),
    Effect.orElseSucceed(() => 0)
  )

/** The current enrollment, or None when this machine is not enrolled. */
export const loadEnrollment = (paths: AgentPaths) =>
  Effect.gen(function* () {
    const files = configFiles(paths)
    const text = yield* readIfExists(files.enrollment)
    if (text === undefined) return Option.none<Enrolled>()
    const record = yield* Effect.try({ try: () => JSON.parse(text) as unknown, catch: () => undefined }).pipe(
      Effect.flatMap((json) => Either.mapLeft(Schema.decodeUnknownEither(EnrollmentRecord)(json), () => undefined)),
      Effect.mapError(() => new AgentFileError({ path: files.enrollment, reason: "is damaged: enroll again" }))
    )
    const ca = yield* readIfExists(files.ca)
    if (ca === undefined) return yield* new AgentFileError({ path: files.ca, reason: "is missing: enroll again" })
    return Option.some<Enrolled>({ record, ca, version: yield* mtime(files.enrollment) })
  })

/** The version stamp alone (cheap: one stat), to decide whether to reload. */
export const enrollmentVersion = (paths: AgentPaths) => mtime(configFiles(paths).enrollment)

export const saveEnrollment = (paths: AgentPaths, record: EnrollmentRecord, ca: string) =>
  Effect.gen(function* () {
    const files = configFiles(paths)
    yield* writeAtomically(files.ca, ca.endsWith("\n") ? ca : `${ca}\n`, 0o644)
    yield* writeAtomically(files.enrollment, JSON.stringify(Schema.encodeSync(EnrollmentRecord)(record), null, 2) + "\n", 0o600)
  })

export const removeEnrollment = (paths: AgentPaths) => removeIfExists(configFiles(paths).enrollment)
