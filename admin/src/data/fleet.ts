import type { DeviceId, EnrollmentTokenId, GrantId, GrantSubject, GrantTarget, OrgUnitId, SlaveId, UserId } from "@ncod/core"
import type { Api } from "@ncod/web"

/** Enrollment tokens, slaves, device names and tags, grants (AdminFleetApi). */
export const createEnrollmentToken = (api: Api, input: { label: string; maxUses: number; expiresInHours: number }) =>
  api.call((client) => client.adminFleet.createEnrollmentToken({ payload: input }))

export const fetchEnrollmentTokens = (api: Api) => api.call((client) => client.adminFleet.enrollmentTokens())

export const revokeEnrollmentToken = (api: Api, id: EnrollmentTokenId) => api.call((client) => client.adminFleet.revokeEnrollmentToken({ path: { id } }))

export const renameSlave = (api: Api, id: SlaveId, name: string) => api.call((client) => client.adminFleet.updateSlave({ path: { id }, payload: { name } }))

export const decommissionSlave = (api: Api, id: SlaveId) => api.call((client) => client.adminFleet.decommissionSlave({ path: { id } }))

export const readmitSlave = (api: Api, id: SlaveId) => api.call((client) => client.adminFleet.readmitSlave({ path: { id } }))

export const deleteSlave = (api: Api, id: SlaveId) => api.call((client) => client.adminFleet.deleteSlave({ path: { id } }))

export const updateDevice = (api: Api, id: DeviceId, update: { nickname?: string | null; tags?: ReadonlyArray<string> }) =>
  api.call((client) => client.adminFleet.updateDevice({ path: { id }, payload: update }))

export const fetchGrants = (api: Api, query: { deviceId?: DeviceId; slaveId?: SlaveId; userId?: UserId; orgUnitId?: OrgUnitId }) =>
  api.call((client) => client.adminFleet.grants({ urlParams: query }))

export const createGrant = (api: Api, target: GrantTarget, subject: GrantSubject) =>
  api.call((client) => client.adminFleet.createGrant({ payload: { target, subject } }))

export const deleteGrant = (api: Api, id: GrantId) => api.call((client) => client.adminFleet.deleteGrant({ path: { id } }))

/** Tags as the admin types them: comma-separated, trimmed, without empties or repeats. */
export const parseTags = (text: string): ReadonlyArray<string> => [...new Set(text.split(/[,，]/).map((tag) => tag.trim()).filter((tag) => tag.length > 0))]
