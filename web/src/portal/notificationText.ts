import { formatTime } from "../kit/format.js"
import { kt, type KitKey } from "../kit/kitMessages.js"
import { pt } from "./messages.js"
import type { Notification } from "./notifications.js"

/** A notification's sentence in the UI language, and how loud to show it. */
export const describeNotification = (item: Notification): { readonly message: string; readonly variant: "primary" | "success" | "warning" | "danger" } => {
  const device = item.params["device"] ?? ""
  switch (item.kind) {
    case "leaseEnded":
      return { message: pt("note.leaseEnded", { device, reason: kt(`endReason.${item.params["reason"]}` as KitKey) }), variant: "warning" }
    case "leaseExpiring":
      return { message: pt("note.leaseExpiring", { device, time: formatTime(Number(item.params["expiresAt"])) }), variant: "warning" }
    case "leaseSuspended":
      return { message: pt("note.leaseSuspended", { device }), variant: "warning" }
    case "queueOffered":
      return { message: pt("note.queueOffered", { device, time: formatTime(Number(item.params["until"])) }), variant: "success" }
    case "releaseRequested":
      return {
        message: pt(item.params["message"] ? "note.releaseRequested" : "note.releaseRequestedNoMessage", {
          device,
          who: item.params["who"] ?? "",
          message: item.params["message"] ?? ""
        }),
        variant: "primary"
      }
    case "releaseDeclined":
      return { message: pt("note.releaseDeclined", { device }), variant: "primary" }
    case "slaveOffline":
      return { message: pt("note.slaveOffline", { slave: item.params["slave"] ?? "" }), variant: "danger" }
    case "slaveOnline":
      return { message: pt("note.slaveOnline", { slave: item.params["slave"] ?? "" }), variant: "success" }
    case "machineApproved":
      return { message: pt("note.machineApproved"), variant: "success" }
    case "machineRevoked":
      return { message: pt("note.machineRevoked"), variant: "danger" }
    case "accountChanged":
      return { message: pt("note.accountChanged", { status: kt(`userStatus.${item.params["status"]}` as KitKey) }), variant: "primary" }
  }
}
