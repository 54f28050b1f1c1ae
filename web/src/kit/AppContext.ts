import type { LiveEvent, Profile } from "@ncod/core"
import type { ReactiveController, ReactiveControllerHost } from "lit"
import { Api, type ApiOptions } from "./api/ApiContext.js"
import type { Session } from "./auth/AuthStore.js"
import { LiveEvents, type LiveStatus } from "./live/LiveEvents.js"

/**
 * One app's wiring: the API with its session, and the live events, which run exactly while someone
 * is signed in.
 */
export class AppContext {
  readonly api: Api
  readonly live: LiveEvents

  constructor(options: ApiOptions) {
    this.api = new Api(options)
    this.live = new LiveEvents(this.api)
    const follow = (session: Session | null) => (session ? this.live.start() : this.live.stop())
    this.api.auth.subscribe(follow)
    follow(this.api.auth.session)
  }

  get session() {
    return this.api.auth.session
  }

  signIn(username: string, password: string) {
    return this.api.auth.login(username, password)
  }

  signOut() {
    return this.api.auth.logout()
  }

  /** The signed-in user's profile; the stored user follows it (status, name, password flag). */
  async profile(): Promise<Profile> {
    const profile = await this.api.call((client) => client.me.profile())
    this.api.auth.replaceUser(profile.user)
    return profile
  }

  /**
   * Changing the password revokes every refresh token of the account, this one included: sign in
   * again with the new password so the session goes on.
   */
  async changePassword(currentPassword: string, newPassword: string) {
    const username = this.session?.user.username
    await this.api.call((client) => client.me.changePassword({ payload: { currentPassword, newPassword } }))
    if (username !== undefined) await this.signIn(username, newPassword)
  }
}

/** Re-renders a Lit element when the session changes (sign-in, sign-out, another tab). */
export class SessionController implements ReactiveController {
  private unsubscribe: (() => void) | undefined
  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly app: AppContext,
    private readonly onChange?: (session: Session | null) => void
  ) {
    host.addController(this)
  }
  get session() {
    return this.app.session
  }
  hostConnected() {
    this.unsubscribe = this.app.api.auth.subscribe((session) => {
      this.onChange?.(session)
      this.host.requestUpdate()
    })
  }
  hostDisconnected() {
    this.unsubscribe?.()
  }
}

/** Runs `listener` for each live event while the element is on the page. */
export class LiveController implements ReactiveController {
  status: LiveStatus
  private unsubscribe: Array<() => void> = []
  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly live: LiveEvents,
    private readonly listener: (event: LiveEvent) => void = () => undefined
  ) {
    this.status = live.status
    host.addController(this)
  }
  hostConnected() {
    this.status = this.live.status
    this.unsubscribe = [
      this.live.on(this.listener),
      this.live.onStatus((status) => {
        this.status = status
        this.host.requestUpdate()
      })
    ]
  }
  hostDisconnected() {
    for (const stop of this.unsubscribe) stop()
    this.unsubscribe = []
  }
}

/** Calls `task` at most once per `ms`, with the latest arguments (live bursts → one reload). */
export const debounce = <A extends ReadonlyArray<unknown>>(task: (...args: A) => void, ms: number) => {
  let timer: ReturnType<typeof setTimeout> | undefined
  return (...args: A) => {
    if (timer !== undefined) clearTimeout(timer)
    timer = setTimeout(() => {
      timer = undefined
      task(...args)
    }, ms)
  }
}
