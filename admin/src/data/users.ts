import type { OrgUnitId, Role, UserId, UserStatus } from "@ncod/core"
import type { Api } from "@ncod/web"

/** Approvals and account administration (AdminUsersApi). */
export interface UserFilter {
  readonly status?: UserStatus
  readonly role?: Role
  readonly orgUnitId?: OrgUnitId
  readonly q?: string
  readonly cursor?: string
  readonly limit?: number
}

export const fetchUsers = (api: Api, filter: UserFilter) => api.call((client) => client.adminUsers.list({ urlParams: filter }))

export const approveUser = (api: Api, id: UserId) => api.call((client) => client.adminUsers.approve({ path: { id } }))

export const approveUsers = (api: Api, ids: ReadonlyArray<UserId>) => api.call((client) => client.adminUsers.approveMany({ payload: { ids } }))

export const rejectUser = (api: Api, id: UserId, reason: string) => api.call((client) => client.adminUsers.reject({ path: { id }, payload: { reason } }))

export const disableUser = (api: Api, id: UserId, reason: string) => api.call((client) => client.adminUsers.disable({ path: { id }, payload: { reason } }))

export const enableUser = (api: Api, id: UserId) => api.call((client) => client.adminUsers.enable({ path: { id } }))

export const setRole = (api: Api, id: UserId, role: Role) => api.call((client) => client.adminUsers.setRole({ path: { id }, payload: { role } }))

export const setOrgUnit = (api: Api, id: UserId, orgUnitId: OrgUnitId) =>
  api.call((client) => client.adminUsers.setOrgUnit({ path: { id }, payload: { orgUnitId } }))
