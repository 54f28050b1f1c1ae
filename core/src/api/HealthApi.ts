import { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { Schema } from "effect"
import { NotReady } from "../errors/ApiErrors.js"

export const Liveness = Schema.Struct({ status: Schema.Literal("ok") })

export const Readiness = Schema.Struct({
  status: Schema.Literal("ready"),
  checks: Schema.Record({ key: Schema.String, value: Schema.String })
})

/** Probes for load balancers and orchestrators; outside `/api/v1` because they never change. */
export class HealthApi extends HttpApiGroup.make("health")
  .add(HttpApiEndpoint.get("liveness", "/healthz").addSuccess(Liveness))
  .add(HttpApiEndpoint.get("readiness", "/readyz").addSuccess(Readiness).addError(NotReady))
{}
