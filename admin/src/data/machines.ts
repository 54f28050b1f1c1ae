import type { MachineId, MachineStatus } from "@ncod/core"
import type { Api } from "@ncod/web"

/** Machine binding requests (AdminMachinesApi). */
export const fetchMachines = (api: Api, status?: MachineStatus) =>
  api.call((client) => client.adminMachines.list({ urlParams: status ? { status } : {} }))

export const approveMachine = (api: Api, id: MachineId) => api.call((client) => client.adminMachines.approve({ path: { id } }))

export const revokeMachine = (api: Api, id: MachineId) => api.call((client) => client.adminMachines.revoke({ path: { id } }))
