import { type Tokens, User } from "@ncod/core"
import { DateTime, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { accessLifetimeMs, AuthStore, type AuthTransport, type KeyValueStorage, type WithLock } from "./AuthStore.js"

const user = Schema.decodeUnknownSync(User)({
  id: "6a1f0c52-4d4e-4c4e-8a49-7f6a3c1d2e10",
  username: "li.wei",
  displayName: "李伟",
  email: "li.wei@example.com",
  phone: null,
  role: "user",
  status: "approved",
  orgUnitId: null,
  statusReason: null,
  mustChangePassword: false,
  approvedBy: null,
  approvedAt: null,
  createdAt: "2026-11-25T08:00:00.000Z",
  updatedAt: "2026-11-25T08:00:00.000Z"
})

const jwt = (iat: number, exp: number, id: string) =>
  `h.${btoa(JSON.stringify({ iat, exp, jti: id })).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")}.s`

/** One shared storage and one shared lock: two stores on them behave like two tabs. */
const world = (now: () => number) => {
  const data = new Map<string, string>()
  const storage: KeyValueStorage = {
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key)
  }
  let tail: Promise<unknown> = Promise.resolve()
  const withLock: WithLock = (_name, task) => {
    const next = tail.then(task, task)
    tail = next.catch(() => undefined)
    return next
  }
  let issued = 0
  const spent = new Set<string>()
  const refreshCalls: Array<string> = []
  const tokens = (): Tokens => {
    issued++
    const seconds = Math.floor(now() / 1000)
    return {
      accessToken: jwt(seconds, seconds + 600, `a${issued}`),
      accessTokenExpiresAt: DateTime.unsafeMake(now() + 600_000),
      refreshToken: `r${issued}`,
      refreshTokenExpiresAt: DateTime.unsafeMake(now() + 86_400_000),
      user
    }
  }
  const transport: AuthTransport = {
    login: async () => tokens(),
    refresh: async (refreshToken) => {
      refreshCalls.push(refreshToken)
      // single use: a spent refresh token ends the session (reuse detection)
      if (spent.has(refreshToken)) throw { code: "UNAUTHENTICATED", message: "reuse", fields: {}, details: {} }
      spent.add(refreshToken)
      await new Promise((resolve) => setTimeout(resolve, 5))
      return tokens()
    },
    logout: async () => undefined
  }
  const store = () => new AuthStore({ audience: "portal", transport, storage, withLock, now })
  return { store, refreshCalls, data }
}

describe("AuthStore", () => {
  it("keeps the session in storage so another tab starts signed in", async () => {
    let clock = 1_700_000_000_000
    const w = world(() => clock)
    const first = w.store()
    await first.login("li.wei", "secret")
    const second = w.store()
    expect(second.session?.user.username).toBe("li.wei")
    expect(await second.accessToken()).toBe(first.session?.accessToken)
    clock += 1
  })

  it("refreshes shortly before the access token expires", async () => {
    let clock = 1_700_000_000_000
    const w = world(() => clock)
    const store = w.store()
    await store.login("li.wei", "secret")
    const before = store.session!.accessToken
    clock += 590_000
    const after = await store.accessToken()
    expect(after).not.toBe(before)
    expect(w.refreshCalls).toEqual(["r1"])
  })

  it("never spends one refresh token twice when two tabs refresh at once", async () => {
    let clock = 1_700_000_000_000
    const w = world(() => clock)
    const tabA = w.store()
    await tabA.login("li.wei", "secret")
    const tabB = w.store()
    clock += 700_000
    const [a, b] = await Promise.all([tabA.accessToken(), tabB.accessToken()])
    expect(w.refreshCalls).toEqual(["r1"])
    expect(a).toBe(b)
    expect(tabA.session).not.toBeNull()
    expect(tabB.session).not.toBeNull()
  })

  it("takes another tab's fresh token after a 401 instead of refreshing again", async () => {
    const clock = 1_700_000_000_000
    const w = world(() => clock)
    const tabA = w.store()
    await tabA.login("li.wei", "secret")
    const tabB = w.store()
    const stale = tabB.session!.accessToken
    await tabA.refresh(tabA.session!.accessToken)
    expect(await tabB.refresh(stale)).toBe(tabA.session!.accessToken)
    expect(w.refreshCalls).toEqual(["r1"])
  })

  it("signs out everywhere when the master refuses the refresh token", async () => {
    let clock = 1_700_000_000_000
    const w = world(() => clock)
    const tabA = w.store()
    await tabA.login("li.wei", "secret")
    const stale = w.data.get("ncod.session.portal")!
    await tabA.refresh(tabA.session!.accessToken)
    const seen: Array<unknown> = []
    tabA.subscribe((session) => seen.push(session))
    // a tab that still holds the spent refresh token presents it: the master calls that reuse
    w.data.set("ncod.session.portal", stale)
    clock += 700_000
    const tabB = w.store()
    expect(await tabB.accessToken()).toBeNull()
    expect(w.data.has("ncod.session.portal")).toBe(false)
    tabA.onStorageChanged("ncod.session.portal")
    expect(tabA.session).toBeNull()
    expect(seen.at(-1)).toBeNull()
  })

  it("measures the access token's life from its own claims, not the browser clock", () => {
    expect(accessLifetimeMs(jwt(1000, 1600, "x"), 0, 99_999_999)).toBe(600_000)
    expect(accessLifetimeMs("not-a-jwt", 5_000, 1_000)).toBe(4_000)
  })
})
