import type { DeviceId, LiveEvent, UserId } from "@ncod/core"
import { debounce } from "../kit/AppContext.js"
import { toast } from "../kit/components/toast.js"
import { deviceName } from "../kit/format.js"
import { fetchDevice } from "../data/inventory.js"
import { fetchMyLeases } from "../data/leases.js"
import { portal } from "./app.js"
import { describeNotification } from "./notificationText.js"
import { notificationFor, NotificationStore } from "./notifications.js"

/**
 * Portal-wide state beside the session: the notification list and the slaves the user holds
 * leases on (whose outages concern them). Fed by live events while signed in.
 */
export const notifications = new NotificationStore()
let mySlaves: ReadonlySet<string> = new Set()
const names = new Map<string, string>()

/** Pages that list devices remember their names, so notifications can say which device. */
export const rememberDeviceName = (id: string, name: string) => names.set(id, name)

const nameOf = async (id: DeviceId) => {
  const known = names.get(id)
  if (known !== undefined) return known
  try {
    const detail = await fetchDevice(portal.api, id)
    const name = deviceName(detail.view.device)
    names.set(id, name)
    return name
  } catch {
    return id.slice(0, 8)
  }
}

const refreshMySlaves = debounce(async () => {
  try {
    const leases = await fetchMyLeases(portal.api)
    mySlaves = new Set(leases.filter((view) => view.lease.state !== "ended").map((view) => view.device.slaveId))
  } catch {
    // keep the last known set
  }
}, 500)

const onEvent = async (event: LiveEvent) => {
  const me = portal.session?.user.id as UserId | undefined
  if (me === undefined) return
  if (event._tag === "LeaseChanged" && event.lease.userId === me) refreshMySlaves()
  const draft = notificationFor(event, { me, mySlaves })
  if (draft === null) return
  const params = draft.deviceId === null ? draft.params : { ...draft.params, device: await nameOf(draft.deviceId as DeviceId) }
  const item = notifications.add({ ...draft, params })
  const text = describeNotification(item)
  toast(text.message, text.variant)
}

let started = false

/** Starts following the session (once, from the portal's root element). */
export const startPortalState = () => {
  if (started) return
  started = true
  const follow = () => {
    const user = portal.session?.user
    notifications.useUser(user?.id ?? null)
    if (user?.status === "approved") refreshMySlaves()
  }
  portal.api.auth.subscribe(follow)
  follow()
  portal.live.on((event) => void onEvent(event))
}
