import type { Tokens } from "@ncod/core"
import { DateTime, Effect, Option, Schema } from "effect"
import { readOptionalFile, removeFile, writePrivateFile } from "../config/files.js"
import { filePath } from "../config/Paths.js"

/** The signed-in session as kept on disk (0600): tokens, whom they are for, where they work. */
export const StoredSession = Schema.Struct({
  masterUrl: Schema.String,
  accessToken: Schema.String,
  /** Epoch milliseconds. */
  accessTokenExpiresAt: Schema.Number,
  refreshToken: Schema.String,
  refreshTokenExpiresAt: Schema.Number,
  user: Schema.Struct({ id: Schema.String, username: Schema.String, displayName: Schema.String }),
  /** The MAC this machine was approved with, for `whoami`. */
  mac: Schema.optional(Schema.String)
})
export type StoredSession = typeof StoredSession.Type

export const sessionFromTokens = (masterUrl: string, tokens: Tokens, mac?: string): StoredSession => ({
  masterUrl,
  accessToken: tokens.accessToken,
  accessTokenExpiresAt: DateTime.toEpochMillis(tokens.accessTokenExpiresAt),
  refreshToken: tokens.refreshToken,
  refreshTokenExpiresAt: DateTime.toEpochMillis(tokens.refreshTokenExpiresAt),
  user: { id: tokens.user.id, username: tokens.user.username, displayName: tokens.user.displayName },
  ...(mac === undefined ? {} : { mac })
})

const decode = Schema.decodeUnknown(Schema.parseJson(StoredSession))

/** The stored session, or none (never signed in, signed out, or a file this version cannot read). */
export const readSession = (dir: string) =>
  Effect.flatMap(readOptionalFile(filePath(dir, "session")), (text) =>
    Option.match(text, {
      onNone: () => Effect.succeed(Option.none<StoredSession>()),
      onSome: (json) => Effect.option(decode(json))
    })
  )

export const writeSession = (dir: string, session: StoredSession) =>
  writePrivateFile(filePath(dir, "session"), JSON.stringify(session, null, 2) + "\n")

export const clearSession = (dir: string) => removeFile(filePath(dir, "session"))

export const sessionFile = (dir: string) => filePath(dir, "session")
