import { Tokens, type User } from "@ncod/core"
import { Either, Schema } from "effect"

/**
 * The signed-in session of one app (portal or admin: each has its own audience, storage key and
 * lock). Tokens live in localStorage so every tab of the app shares one session: a refresh token is
 * single-use (presenting a spent one revokes the whole family), so tabs must never refresh on their
 * own — every refresh runs under a Web Lock and first re-reads what another tab may have stored.
 */
export type Audience = "portal" | "admin"

export interface Session {
  readonly accessToken: string
  /** Local clock time (ms) at which the access token stops working. */
  readonly accessExpiresAt: number
  readonly refreshToken: string
  readonly refreshExpiresAt: number
  readonly user: User
}

/** What the store needs from the network: the typed client's auth endpoints. */
export interface AuthTransport {
  readonly login: (username: string, password: string, audience: Audience) => Promise<Tokens>
  readonly refresh: (refreshToken: string) => Promise<Tokens>
  readonly logout: (refreshToken: string) => Promise<void>
}

export interface KeyValueStorage {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

export type WithLock = <A>(name: string, task: () => Promise<A>) => Promise<A>

export interface AuthStoreOptions {
  readonly audience: Audience
  readonly transport: AuthTransport
  readonly storage: KeyValueStorage
  readonly withLock: WithLock
  readonly now?: () => number
  /** Refresh this long before the access token expires (default 30 s). */
  readonly skewMs?: number
}

/** A failure whose `code` says the refresh token is no longer good: the session is over. */
const isSessionOver = (error: unknown) =>
  typeof error === "object" && error !== null && (error as { code?: unknown }).code === "UNAUTHENTICATED"

const StoredTokens = Schema.parseJson(Tokens)
const encodeTokens = Schema.encodeSync(StoredTokens)
const decodeTokens = Schema.decodeUnknownEither(StoredTokens)

/**
 * The access token's own lifetime (exp − iat), so a browser clock that is minutes off the master's
 * does not make every token look expired (or fresh forever). Falls back to the server's expiry.
 */
export const accessLifetimeMs = (accessToken: string, fallbackExpiresAt: number, now: number): number => {
  try {
    const part = accessToken.split(".")[1] ?? ""
    const json = atob(part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "="))
    const claims = JSON.parse(json) as { exp?: unknown; iat?: unknown }
    if (typeof claims.exp === "number" && typeof claims.iat === "number" && claims.exp > claims.iat) {
      return (claims.exp - claims.iat) * 1000
    }
  } catch {
    // not a JWT we can read: trust the server's expiry below
  }
  return Math.max(0, fallbackExpiresAt - now)
}

interface StoredSession {
  readonly tokens: string
  readonly receivedAt: number
}

export class AuthStore {
  readonly audience: Audience
  private readonly key: string
  private readonly lockName: string
  private readonly now: () => number
  private readonly skewMs: number
  private current: Session | null
  private readonly listeners = new Set<(session: Session | null) => void>()

  constructor(private readonly options: AuthStoreOptions) {
    this.audience = options.audience
    this.key = `ncod.session.${options.audience}`
    this.lockName = `ncod-refresh-${options.audience}`
    this.now = options.now ?? Date.now
    this.skewMs = options.skewMs ?? 30_000
    this.current = this.read()
  }

  get session(): Session | null {
    return this.current
  }

  subscribe(listener: (session: Session | null) => void): () => void {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }

  async login(username: string, password: string): Promise<Session> {
    const tokens = await this.options.transport.login(username, password, this.audience)
    return this.store(tokens)
  }

  /** A usable access token, refreshed first when it is about to expire; null when signed out. */
  async accessToken(): Promise<string | null> {
    const session = this.current
    if (session === null) return null
    if (session.accessExpiresAt - this.now() > this.skewMs) return session.accessToken
    return this.refresh(session.accessToken)
  }

  /**
   * The master refused `rejected` (401): get another token once. Under the lock, a token another
   * tab stored meanwhile is taken as is; otherwise the refresh token is spent.
   */
  refresh(rejected: string): Promise<string | null> {
    return this.options.withLock(this.lockName, async () => {
      const stored = this.read()
      if (stored === null) {
        this.set(null)
        return null
      }
      if (stored.accessToken !== rejected && stored.accessExpiresAt - this.now() > this.skewMs) {
        this.set(stored)
        return stored.accessToken
      }
      if (stored.refreshExpiresAt <= this.now()) {
        this.clear()
        return null
      }
      try {
        return this.store(await this.options.transport.refresh(stored.refreshToken)).accessToken
      } catch (error) {
        if (isSessionOver(error)) {
          this.clear()
          return null
        }
        throw error
      }
    })
  }

  async logout(): Promise<void> {
    const session = this.read() ?? this.current
    this.clear()
    if (session !== null) await this.options.transport.logout(session.refreshToken).catch(() => undefined)
  }

  /** The account changed (profile edit, approval): keep the tokens, show the new user. */
  replaceUser(user: User) {
    const stored = this.readRaw()
    if (stored === null || this.current === null) return
    const decoded = decodeTokens(stored.tokens)
    if (Either.isLeft(decoded)) return
    this.write({ tokens: encodeTokens({ ...decoded.right, user }), receivedAt: stored.receivedAt })
    this.set(this.read())
  }

  /** Forget the session locally (signed out elsewhere, or the master ended it). */
  clear() {
    try {
      this.options.storage.removeItem(this.key)
    } catch {
      // nothing stored
    }
    this.set(null)
  }

  /** Another tab changed the stored session (the `storage` event): follow it. */
  onStorageChanged(key: string | null) {
    if (key !== null && key !== this.key) return
    this.set(this.read())
  }

  private store(tokens: Tokens): Session {
    this.write({ tokens: encodeTokens(tokens), receivedAt: this.now() })
    const session = this.read()
    if (session === null) throw new Error("the session could not be stored")
    this.set(session)
    return session
  }

  private write(stored: StoredSession) {
    this.options.storage.setItem(this.key, JSON.stringify(stored))
  }

  private readRaw(): StoredSession | null {
    try {
      const text = this.options.storage.getItem(this.key)
      if (text === null) return null
      const parsed = JSON.parse(text) as Partial<StoredSession>
      return typeof parsed.tokens === "string" && typeof parsed.receivedAt === "number" ? { tokens: parsed.tokens, receivedAt: parsed.receivedAt } : null
    } catch {
      return null
    }
  }

  private read(): Session | null {
    const stored = this.readRaw()
    if (stored === null) return null
    const decoded = decodeTokens(stored.tokens)
    if (Either.isLeft(decoded)) return null
    const tokens = decoded.right
    const serverNow = stored.receivedAt
    const accessExpiresAt = stored.receivedAt + accessLifetimeMs(tokens.accessToken, tokens.accessTokenExpiresAt.epochMillis, serverNow)
    const refreshExpiresAt = tokens.refreshTokenExpiresAt.epochMillis
    return { accessToken: tokens.accessToken, accessExpiresAt, refreshToken: tokens.refreshToken, refreshExpiresAt, user: tokens.user }
  }

  private set(session: Session | null) {
    const changed =
      session?.accessToken !== this.current?.accessToken || session?.user !== this.current?.user || (session === null) !== (this.current === null)
    this.current = session
    if (changed) for (const listener of this.listeners) listener(session)
  }
}

/** `navigator.locks` where the browser has it (secure contexts); otherwise a lock within this tab. */
export const browserLock = (): WithLock => {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks
  if (locks) return <A>(name: string, task: () => Promise<A>) => locks.request(name, task) as Promise<A>
  const tails = new Map<string, Promise<unknown>>()
  return (name, task) => {
    const previous = tails.get(name) ?? Promise.resolve()
    const next = previous.catch(() => undefined).then(task)
    tails.set(name, next)
    return next
  }
}
