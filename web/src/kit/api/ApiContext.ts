import { FetchHttpClient, HttpApiClient, HttpClient, HttpClientError, HttpClientRequest } from "@effect/platform"
import { NcodApi } from "@ncod/core"
import { Effect, ManagedRuntime } from "effect"
import { type Audience, AuthStore, browserLock, type KeyValueStorage } from "../auth/AuthStore.js"
import { acceptLanguage } from "../i18n/locale.js"
import { kitText } from "../kitMessages.js"
import { accountGateCodes, toUiError, type UiError } from "./UiError.js"

/** The typed client derived from the contract (`core/src/api`): one method per endpoint. */
export type NcodClient = Effect.Effect.Success<ReturnType<typeof makeClient>>

const makeClient = (baseUrl: string, transformClient: (client: HttpClient.HttpClient) => HttpClient.HttpClient) =>
  HttpApiClient.make(NcodApi, { baseUrl, transformClient })

/** Every request says which language the UI speaks, so the master's messages come back in it. */
const withLanguage = HttpClient.mapRequest((request) => HttpClientRequest.setHeader(request, "accept-language", acceptLanguage()))

/**
 * Adds the bearer token and, when the master answers 401 to a token, refreshes once and retries
 * once (the store coordinates the refresh with other tabs).
 */
const withSession = (auth: AuthStore) => (client: HttpClient.HttpClient): HttpClient.HttpClient => {
  const base = withLanguage(client)
  return HttpClient.transform(base, (unauthenticated, request) =>
    Effect.gen(function* () {
      // a refresh that could not reach the master is a network failure, not a sign-out
      const session = (task: () => Promise<string | null>) =>
        Effect.tryPromise({ try: task, catch: (cause) => new HttpClientError.RequestError({ request, reason: "Transport", cause }) })
      const token = yield* session(() => auth.accessToken())
      if (token === null) return yield* unauthenticated
      const response = yield* base.execute(HttpClientRequest.bearerToken(request, token))
      if (response.status !== 401) return response
      const fresh = yield* session(() => auth.refresh(token))
      return fresh === null ? response : yield* base.execute(HttpClientRequest.bearerToken(request, fresh))
    })
  )
}

export interface ApiOptions {
  readonly audience: Audience
  readonly baseUrl?: string
  readonly storage?: KeyValueStorage
}

/**
 * One app's connection to the master: the auth store, the typed client with the session, an
 * anonymous one (sign-in, registration, the public org tree) and a runner that turns every call
 * into a Promise failing with a UiError.
 */
export class Api {
  readonly auth: AuthStore
  readonly runtime = ManagedRuntime.make(FetchHttpClient.layer)
  readonly baseUrl: string
  private readonly client: Promise<NcodClient>
  private readonly anonymous: Promise<NcodClient>
  private readonly gateListeners = new Set<(error: UiError) => void>()

  constructor(options: ApiOptions) {
    this.baseUrl = options.baseUrl ?? globalThis.location.origin
    const storage = options.storage ?? globalThis.localStorage
    this.anonymous = this.runtime.runPromise(makeClient(this.baseUrl, withLanguage))
    const transport = {
      login: (username: string, password: string, audience: Audience) =>
        this.callWith(this.anonymous, (c) => c.auth.login({ payload: { username, password, audience } })),
      refresh: (refreshToken: string) => this.callWith(this.anonymous, (c) => c.auth.refresh({ payload: { refreshToken } })),
      logout: (refreshToken: string) => this.callWith(this.anonymous, (c) => c.auth.logout({ payload: { refreshToken } }))
    }
    this.auth = new AuthStore({ audience: options.audience, transport, storage, withLock: browserLock() })
    this.client = this.runtime.runPromise(makeClient(this.baseUrl, withSession(this.auth)))
    globalThis.addEventListener?.("storage", (event: StorageEvent) => this.auth.onStorageChanged(event.key))
  }

  /** A call with the session's token. Account-state refusals are also reported to `onGate`. */
  async call<A, E>(f: (client: NcodClient) => Effect.Effect<A, E>): Promise<A> {
    try {
      return await this.callWith(this.client, f)
    } catch (error) {
      const ui = error as UiError
      if (accountGateCodes.has(ui.code)) for (const listener of this.gateListeners) listener(ui)
      throw error
    }
  }

  /** A call without a session (registration, the org tree). */
  callAnonymous<A, E>(f: (client: NcodClient) => Effect.Effect<A, E>): Promise<A> {
    return this.callWith(this.anonymous, f)
  }

  /** Calls failing because of the account's state (pending, rejected, password change, signed out). */
  onGate(listener: (error: UiError) => void) {
    this.gateListeners.add(listener)
    return () => void this.gateListeners.delete(listener)
  }

  /** Runs a plain Effect that needs an HttpClient (e.g. /metrics, which the contract does not type). */
  run<A, E>(effect: Effect.Effect<A, E, HttpClient.HttpClient>): Promise<A> {
    return this.runtime.runPromise(Effect.either(effect)).then((result) => {
      if (result._tag === "Left") throw toUiError(result.left, kitText.errorFallback)
      return result.right
    })
  }

  private async callWith<A, E>(clientPromise: Promise<NcodClient>, f: (client: NcodClient) => Effect.Effect<A, E>): Promise<A> {
    const client = await clientPromise
    const result = await this.runtime.runPromise(Effect.either(f(client))).catch((defect: unknown) => {
      throw toUiError(defect, kitText.errorFallback)
    })
    if (result._tag === "Left") throw toUiError(result.left, kitText.errorFallback)
    return result.right
  }
}

