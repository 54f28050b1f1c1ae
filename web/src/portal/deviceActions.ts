import type { DeviceId, DeviceView, LeaseId, LeaseView } from "@ncod/core"
import { holderLeaseId } from "../data/inventory.js"
import { joinQueue, leaveQueue, releaseLease, requestRelease, takeDevice } from "../data/leases.js"
import type { UiError } from "../kit/api/UiError.js"
import type { NcReasonDialog } from "../kit/components/nc-reason-dialog.js"
import { toast } from "../kit/components/toast.js"
import { deviceName, formatTime } from "../kit/format.js"
import { portal } from "./app.js"
import type { TakeDialog } from "./components/take-dialog.js"
import type { DeviceAction } from "./components/device-card.js"
import { pt } from "./messages.js"

export interface ActionContext {
  readonly takeDialog: TakeDialog
  readonly reasonDialog: NcReasonDialog
  /** The user's open leases, to find the one to release. */
  readonly myLeases: ReadonlyArray<LeaseView>
}

/** Does what a device card asked; tells the user how it went. Resolves when done (or cancelled). */
export const performDeviceAction = async (action: DeviceAction, view: DeviceView, context: ActionContext): Promise<void> => {
  const id = view.device.id as DeviceId
  const name = deviceName(view.device)
  try {
    switch (action) {
      case "take":
        await context.takeDialog.open(view, async (minutes) => {
          const lease = await takeDevice(portal.api, id, minutes)
          toast(pt("take.done", { device: name, time: formatTime(lease.lease.expiresAt) }), "success")
        })
        return
      case "release": {
        const lease = context.myLeases.find((candidate) => candidate.device.id === id && candidate.lease.state !== "ended")
        if (!lease) return
        await releaseLease(portal.api, lease.lease.id)
        toast(pt("release.done", { device: name }), "success")
        return
      }
      case "queue": {
        const entry = await joinQueue(portal.api, id)
        toast(pt("queue.joined", { device: name, n: entry.position }), "success")
        return
      }
      case "leaveQueue":
        await leaveQueue(portal.api, id)
        toast(pt("queue.left", { device: name }), "primary")
        return
      case "askRelease": {
        const leaseId = holderLeaseId(view.holder)
        if (!leaseId) return
        await context.reasonDialog.open(async (message) => {
          await requestRelease(portal.api, leaseId as LeaseId, message)
          toast(pt("askRelease.sent", { who: view.holder?.displayName ?? "" }), "success")
        })
        return
      }
    }
  } catch (error) {
    toast((error as UiError).message, "danger", 10_000)
  }
}
