import type { DeviceId, LeaseId } from "@ncod/core"
import type { Api } from "../kit/api/ApiContext.js"

/** Leases and the waiting queue, as the signed-in user sees them. */
export const takeDevice = (api: Api, deviceId: DeviceId, minutes?: number) =>
  api.call((client) => client.leases.create({ payload: minutes === undefined ? { deviceId } : { deviceId, minutes } }))

export const fetchMyLeases = (api: Api) => api.call((client) => client.leases.mine())

export const releaseLease = (api: Api, id: LeaseId) => api.call((client) => client.leases.release({ path: { id }, payload: { reason: "released" } }))

export const renewLease = (api: Api, id: LeaseId, minutes?: number) =>
  api.call((client) => client.leases.renew({ path: { id }, payload: minutes === undefined ? {} : { minutes } }))

/** The note is required: the contract's default ("") would not pass its own Reason check on encoding. */
export const requestRelease = (api: Api, id: LeaseId, message: string) =>
  api.call((client) => client.leases.requestRelease({ path: { id }, payload: { message } }))

export const declineRelease = (api: Api, id: LeaseId) => api.call((client) => client.leases.declineRelease({ path: { id } }))

export const joinQueue = (api: Api, deviceId: DeviceId) => api.call((client) => client.leases.enqueue({ path: { id: deviceId } }))

export const leaveQueue = (api: Api, deviceId: DeviceId) => api.call((client) => client.leases.dequeue({ path: { id: deviceId } }))

export const fetchMyQueue = (api: Api) => api.call((client) => client.leases.myQueue())

/** Open leases first (newest first), then the ended ones. */
export const sortLeases = <L extends { readonly lease: { readonly state: string; readonly startedAt: { readonly epochMillis: number } } }>(
  views: ReadonlyArray<L>
) =>
  [...views].sort((a, b) => {
    const openA = a.lease.state === "ended" ? 1 : 0
    const openB = b.lease.state === "ended" ? 1 : 0
    return openA - openB || b.lease.startedAt.epochMillis - a.lease.startedAt.epochMillis
  })

/** The command that connects a leased device from the user's PC (the `ncod` client). */
export const connectCommand = (device: { readonly id: string }) => `ncod connect ${device.id}`
