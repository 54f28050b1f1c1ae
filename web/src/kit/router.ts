import type { ReactiveController, ReactiveControllerHost } from "lit"

/**
 * A small history router: real `<a href>` links (keyboard and middle-click work), intercepted when
 * they stay inside the app, and `popstate` for back/forward. The master answers index.html for
 * every client-side path, so deep links and reloads work.
 */
export interface Route {
  /** The path below the app's base, starting with "/" ("/devices/123"). */
  readonly path: string
  readonly segments: ReadonlyArray<string>
  readonly query: URLSearchParams
}

const listeners = new Set<(route: Route) => void>()
let base = "/"

/** Splits a path below the base into its route. */
export const parseRoute = (pathname: string, search: string, appBase: string): Route => {
  const trimmedBase = appBase.endsWith("/") ? appBase.slice(0, -1) : appBase
  const inner = pathname.startsWith(trimmedBase) ? pathname.slice(trimmedBase.length) || "/" : pathname
  const segments = inner.split("/").filter((part) => part.length > 0).map((part) => decodeURIComponent(part))
  return { path: `/${segments.join("/")}`, segments, query: new URLSearchParams(search) }
}

export const currentRoute = (): Route => parseRoute(location.pathname, location.search, base)

/** The full URL path for a path inside the app ("/devices" → "/admin/devices" in the admin app). */
export const href = (path: string) => `${base.replace(/\/$/, "")}${path.startsWith("/") ? path : `/${path}`}`

const notify = () => {
  const route = currentRoute()
  for (const listener of listeners) listener(route)
}

export const navigate = (path: string, options: { readonly replace?: boolean } = {}) => {
  const target = href(path)
  if (target === location.pathname + location.search) return notify()
  if (options.replace) history.replaceState(null, "", target)
  else history.pushState(null, "", target)
  notify()
  window.scrollTo?.(0, 0)
}

const onClick = (event: MouseEvent) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
  const anchor = event.composedPath().find((node): node is HTMLAnchorElement => node instanceof HTMLAnchorElement)
  if (!anchor || anchor.target || anchor.hasAttribute("download") || !anchor.href) return
  const url = new URL(anchor.href)
  const prefix = base.replace(/\/$/, "")
  if (url.origin !== location.origin || !(url.pathname === prefix || url.pathname.startsWith(`${prefix}/`))) return
  event.preventDefault()
  navigate(parseRoute(url.pathname, url.search, base).path + url.search)
}

/** Starts routing for an app served under `appBase` ("/" or "/admin/"). */
export const startRouter = (appBase: string) => {
  base = appBase
  window.addEventListener("popstate", notify)
  document.addEventListener("click", onClick)
}

/** Re-renders a Lit element on navigation. */
export class RouteController implements ReactiveController {
  route: Route
  private unsubscribe: (() => void) | undefined
  constructor(private readonly host: ReactiveControllerHost) {
    this.route = currentRoute()
    host.addController(this)
  }
  hostConnected() {
    const listener = (route: Route) => {
      this.route = route
      this.host.requestUpdate()
    }
    listeners.add(listener)
    this.unsubscribe = () => listeners.delete(listener)
    this.route = currentRoute()
  }
  hostDisconnected() {
    this.unsubscribe?.()
  }
}
