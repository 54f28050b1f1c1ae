import { type HttpClient, HttpClientRequest } from "@effect/platform"
import { Context, Data, Effect, Layer, Option, Ref } from "effect"
import { Settings } from "../config/ClientConfig.js"
import { type ConfigFileError, readOptionalFile, withFileLock } from "../config/files.js"
import { filePath } from "../config/Paths.js"
import { readSession, sessionFile, sessionFromTokens, type StoredSession, writeSession } from "../session/SessionStore.js"
import { type Api, httpClientLayer, makeApi } from "./Http.js"

/** No usable session: never signed in, signed out, or the master refused to refresh it. */
export class NotSignedIn extends Data.TaggedError("NotSignedIn")<{ readonly reason: "none" | "expired" }> {}

export interface MasterLinkShape {
  readonly baseUrl: string
  /** The pinned certificate (PEM), when one is pinned. */
  readonly ca: string | undefined
  readonly session: Effect.Effect<StoredSession>
  /**
   * Runs calls with a valid access token: refreshed shortly before it expires, and refreshed and
   * retried once when the master answers 401 anyway (clock skew, a revoked token).
   */
  readonly call: <A, E, R>(f: (api: Api) => Effect.Effect<A, E, R>) => Effect.Effect<A, E | RefreshError, R>
  /** A valid access token (for the live-events subscription, which carries it in its payload). */
  readonly accessToken: Effect.Effect<string, RefreshError>
}

export class MasterLink extends Context.Tag("@ncod/client/MasterLink")<MasterLink, MasterLinkShape>() {}

type RefreshFailure = Effect.Effect.Error<ReturnType<Api["auth"]["refresh"]>>
/** Why a valid token could not be had: signed out, refused, or the master out of reach. */
export type RefreshError = NotSignedIn | ConfigFileError | Exclude<RefreshFailure, { readonly _tag: "Unauthenticated" }>

/** Refresh this long before the access token expires. */
const refreshMarginMillis = 30_000

const isUnauthenticated = (error: unknown) => (error as { _tag?: unknown } | null)?._tag === "Unauthenticated"

/** The pinned certificate for the master, if any. */
export const readPinnedCa = (dir: string) => Effect.map(readOptionalFile(filePath(dir, "ca")), Option.getOrUndefined)

const makeLink = Effect.gen(function* () {
  const settings = yield* Settings
  const stored = yield* readSession(settings.dir)
  if (Option.isNone(stored)) return yield* new NotSignedIn({ reason: "none" })
  const baseUrl = stored.value.masterUrl
  const ca = yield* readPinnedCa(settings.dir)
  const state = yield* Ref.make(stored.value)
  const lock = yield* Effect.makeSemaphore(1)
  const fresh = (session: StoredSession) => session.accessTokenExpiresAt - Date.now() > refreshMarginMillis
  const anonymous = yield* makeApi(baseUrl, settings.language)

  /**
   * Trades the refresh token for new tokens, once per stale token across this process and every
   * other `ncod` of this user: the lock file serialises processes, and the file is read again under
   * it so a token another process already refreshed is adopted rather than spent twice.
   */
  const refresh = (stale: string) =>
    lock.withPermits(1)(
      withFileLock(
        sessionFile(settings.dir),
        Effect.gen(function* () {
          const current = yield* Ref.get(state)
          if (current.accessToken !== stale && fresh(current)) return current
          const onDisk = Option.filter(yield* readSession(settings.dir), (session) => session.masterUrl === baseUrl)
          if (Option.isNone(onDisk)) return yield* new NotSignedIn({ reason: "none" })
          if (onDisk.value.accessToken !== stale && fresh(onDisk.value)) {
            yield* Ref.set(state, onDisk.value)
            return onDisk.value
          }
          const tokens = yield* anonymous.auth
            .refresh({ payload: { refreshToken: onDisk.value.refreshToken } })
            .pipe(Effect.catchTag("Unauthenticated", () => Effect.fail(new NotSignedIn({ reason: "expired" }))))
          const next = sessionFromTokens(baseUrl, tokens, onDisk.value.mac)
          yield* writeSession(settings.dir, next)
          yield* Ref.set(state, next)
          return next
        })
      )
    )

  const accessToken = Effect.gen(function* () {
    const current = yield* Ref.get(state)
    return fresh(current) ? current.accessToken : (yield* refresh(current.accessToken)).accessToken
  })

  const api = yield* makeApi(baseUrl, settings.language, (request) =>
    Effect.map(Ref.get(state), (session) => HttpClientRequest.bearerToken(request, session.accessToken))
  )

  const call: MasterLinkShape["call"] = (f) =>
    Effect.gen(function* () {
      yield* accessToken
      const used = (yield* Ref.get(state)).accessToken
      return yield* f(api).pipe(
        Effect.catchAll((error) => (isUnauthenticated(error) ? Effect.zipRight(refresh(used), f(api)) : Effect.fail(error)))
      )
    })

  return { baseUrl, ca, session: Ref.get(state), call, accessToken } satisfies MasterLinkShape
})


/** The signed-in link to the master, with an HttpClient trusting its pinned certificate. */
export const masterLinkLayer = Layer.unwrapEffect(
  Effect.gen(function* () {
    const settings = yield* Settings
    const session = yield* readSession(settings.dir)
    const ca = yield* readPinnedCa(settings.dir)
    if (Option.isNone(session)) return Layer.fail(new NotSignedIn({ reason: "none" }))
    const http = httpClientLayer(ca)
    return Layer.provideMerge(Layer.effect(MasterLink, makeLink), http)
  })
)

export type MasterLinkEnv = MasterLink | HttpClient.HttpClient
