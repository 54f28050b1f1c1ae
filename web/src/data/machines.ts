import type { MachineId } from "@ncod/core"
import type { Api } from "../kit/api/ApiContext.js"

/** The user's machine bindings (MAC + key) that the ncod client signs in with. */
export const fetchMyMachines = (api: Api) => api.call((client) => client.myMachines.list())

export const revokeMyMachine = (api: Api, id: MachineId) => api.call((client) => client.myMachines.revoke({ path: { id } }))
