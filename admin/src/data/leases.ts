import type { DeviceId, LeaseId, UserId } from "@ncod/core"
import type { Api } from "@ncod/web"

/** Usage records (open leases first) and force release (AdminLeasesApi). */
export const fetchUsage = (api: Api, query: { open?: boolean; userId?: UserId; deviceId?: DeviceId; cursor?: string; limit?: number }) =>
  api.call((client) => client.adminLeases.usage({ urlParams: query }))

export const forceRelease = (api: Api, id: LeaseId, reason: string, kick: boolean) =>
  api.call((client) => client.adminLeases.forceRelease({ path: { id }, payload: { reason, kick } }))
