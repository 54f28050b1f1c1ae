import { HttpApiBuilder } from "@effect/platform"
import { NcodApi } from "@ncod/core"
import { AuditRepo } from "@ncod/sql"
import { DateTime, Effect } from "effect"

export const AdminAuditHandlers = HttpApiBuilder.group(NcodApi, "adminAudit", (handlers) =>
  Effect.map(AuditRepo, (repo) =>
    handlers.handle("list", ({ urlParams }) =>
      repo.list({
        ...urlParams,
        from: urlParams.from ? DateTime.toDate(urlParams.from) : undefined,
        to: urlParams.to ? DateTime.toDate(urlParams.to) : undefined,
        limit: urlParams.limit ?? 100
      })
    )
  )
)
