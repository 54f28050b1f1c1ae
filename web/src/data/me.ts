import type { ProfileUpdate } from "@ncod/core"
import type { Api } from "../kit/api/ApiContext.js"

/** The signed-in user's own account (open to pending and rejected users too). */
export const fetchProfile = (api: Api) => api.call((client) => client.me.profile())

export const updateProfile = (api: Api, update: typeof ProfileUpdate.Encoded) =>
  api.call((client) => client.me.updateProfile({ payload: update }))
