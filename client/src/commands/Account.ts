import { DateTime, Effect } from "effect"
import { MasterLink } from "../api/MasterLink.js"
import { clean, println, stdoutColors as c } from "../ui/Output.js"

/** Who the session is for, as the master sees it now. */
export const whoami = (json: boolean) =>
  Effect.gen(function* () {
    const link = yield* MasterLink
    const profile = yield* link.call((api) => api.me.profile())
    const session = yield* link.session
    if (json) {
      return yield* println(
        JSON.stringify({
          master: link.baseUrl,
          username: profile.user.username,
          displayName: profile.user.displayName,
          role: profile.user.role,
          status: profile.user.status,
          orgPath: profile.orgPath.map((unit) => unit.name),
          mac: session.mac ?? null,
          sessionExpiresAt: new Date(session.refreshTokenExpiresAt).toISOString()
        })
      )
    }
    const user = profile.user
    yield* println(`${c.bold(clean(user.displayName))} (${user.username}) · ${user.role} · ${user.status}`)
    if (profile.orgPath.length > 0) yield* println(`unit:    ${profile.orgPath.map((unit) => clean(unit.name)).join(" / ")}`)
    yield* println(`master:  ${link.baseUrl}`)
    if (session.mac) yield* println(`machine: MAC ${session.mac}`)
    yield* println(`session: until ${DateTime.formatIso(DateTime.unsafeMake(session.refreshTokenExpiresAt))} (renewed while in use)`)
  })
