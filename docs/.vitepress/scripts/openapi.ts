/** The OpenAPI document, exported from the contract exactly as the master serves it at /openapi.json. */
import { OpenApi } from "@effect/platform"
import { NcodApi } from "@ncod/core"
import { out, write } from "./paths.js"

export type OpenApiDocument = { paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, unknown> }>> }

export const openApiDocument = () => OpenApi.fromApi(NcodApi) as unknown as OpenApiDocument

export const generateOpenApi = () => {
  const document = openApiDocument()
  write(out.openapi, JSON.stringify(document, null, 2) + "\n")
  return document
}
