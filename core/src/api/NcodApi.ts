import { HttpApi, OpenApi } from "@effect/platform"
import { InternalError, PayloadTooLarge, ValidationFailed } from "../errors/ApiErrors.js"
import { AdminAuditApi, AdminMachinesApi, AdminUsersApi } from "./AdminAccountsApi.js"
import { AdminFleetApi } from "./AdminFleetApi.js"
import { AuthApi } from "./AuthApi.js"
import { HealthApi } from "./HealthApi.js"
import { InventoryApi } from "./InventoryApi.js"
import { AdminLeasesApi, LeasesApi } from "./LeasesApi.js"
import { MeApi, MyMachinesApi } from "./MeApi.js"
import { MetaApi } from "./MetaApi.js"
import { AdminOrgUnitsApi, OrgUnitsApi } from "./OrgUnitsApi.js"
import { SlaveAgentApi } from "./SlaveAgentApi.js"

export const API_VERSION = "v1"

/**
 * The whole HTTP contract. The master implements it, the OpenAPI document and Swagger UI come from
 * it, and web, admin, client and slave derive their typed clients from it.
 */
export class NcodApi extends HttpApi.make("ncod")
  .add(HealthApi)
  .add(MetaApi)
  .add(AuthApi)
  .add(MeApi)
  .add(MyMachinesApi)
  .add(OrgUnitsApi)
  .add(AdminOrgUnitsApi)
  .add(AdminUsersApi)
  .add(AdminMachinesApi)
  .add(AdminAuditApi)
  .add(SlaveAgentApi)
  .add(InventoryApi)
  .add(AdminFleetApi)
  .add(LeasesApi)
  .add(AdminLeasesApi)
  .addError(ValidationFailed)
  .addError(PayloadTooLarge)
  .addError(InternalError)
  .annotateContext(
    OpenApi.annotations({
      title: "ncod API",
      version: API_VERSION,
      description:
        "Share USB devices across a LAN through VirtualHere and control who may use them. " +
        "Errors carry a stable `code` and a `message` in the caller's language (Accept-Language: zh or en)."
    })
  )
{}
