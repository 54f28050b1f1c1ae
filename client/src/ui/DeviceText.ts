import type { Device, DeviceView } from "@ncod/core"
import { clean, type Colors } from "./Output.js"

/** The name people know a device by: its nickname, else the USB product string, else its ids. */
export const deviceName = (device: Device) => clean(device.nickname ?? device.product ?? `${device.vendorId}:${device.productId}`)

export const usbIds = (device: Device) => `${device.vendorId}:${device.productId}`

/** available · in use · yours · offline · slave offline · removed */
export const deviceState = (view: DeviceView, me: string | undefined): string => {
  if (view.device.state === "removed") return "removed"
  if (view.slaveStatus !== "online") return "slave offline"
  if (view.device.state === "offline") return "offline"
  if (view.holder !== null) return view.holder.username === me ? "yours" : "in use"
  return view.device.state === "in_use" ? "in use" : "available"
}

export const holderText = (view: DeviceView, me: string | undefined) =>
  view.holder === null ? "" : view.holder.username === me ? "you" : clean(`${view.holder.displayName} (${view.holder.username})`)

export const paintState = (state: string, colors: Colors) =>
  state === "available" ? colors.green(state) : state === "yours" ? colors.cyan(state) : state === "in use" ? colors.yellow(state) : colors.dim(state)
