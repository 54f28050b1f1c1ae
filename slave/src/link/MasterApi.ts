import { HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { NcodApi } from "@ncod/core"
import { tlsHttpClientLayer } from "@ncod/core/node"
import { Effect, Redacted } from "effect"
import type { Enrolled } from "../config/Enrollment.js"

/** The slave-agent part of the API, derived from the contract, over TLS pinned to the master's CA. */
export const agentApi = (baseUrl: string, ca: string, credential?: Redacted.Redacted<string>) =>
  Effect.gen(function* () {
    const http = yield* HttpClient.HttpClient
    return yield* HttpApiClient.group(NcodApi, {
      group: "slaveAgent",
      baseUrl,
      httpClient: credential === undefined ? http : HttpClient.mapRequest(http, HttpClientRequest.bearerToken(Redacted.value(credential)))
    })
  }).pipe(Effect.provide(tlsHttpClientLayer(ca)))

export const enrolledApi = (enrolled: Enrolled) => agentApi(enrolled.record.masterUrl, enrolled.ca, enrolled.record.credential)

export type AgentApi = Effect.Effect.Success<ReturnType<typeof agentApi>>

/** How a call to the master went wrong, in the terms the agent acts on. */
export type MasterFailure =
  | { readonly kind: "unreachable"; readonly detail: string }
  | { readonly kind: "decommissioned"; readonly detail: string }
  | { readonly kind: "rejected"; readonly detail: string }
  | { readonly kind: "refused"; readonly detail: string }

const deepestMessage = (error: unknown): string => {
  let current: unknown = error
  let message = ""
  for (let depth = 0; depth < 6 && current !== undefined && current !== null; depth++) {
    const code = (current as { code?: unknown }).code
    const text = (current as { message?: unknown }).message
    if (typeof text === "string" && text.length > 0) message = typeof code === "string" && !text.includes(code) ? `${text} (${code})` : text
    current = (current as { cause?: unknown }).cause
  }
  return message
}

/** TLS failures name the pinning, so a wrong CA is not mistaken for a network problem. */
const tlsHint = (text: string) =>
  /self[- ]signed|unable to (get|verify)|certificate|CERT_|ERR_TLS/i.test(text) ? `${text} — the master's certificate does not match the pinned CA` : text

export const classifyFailure = (error: unknown): MasterFailure => {
  const tag = (error as { _tag?: unknown })?._tag
  switch (tag) {
    case "SlaveDecommissioned":
      return { kind: "decommissioned", detail: "decommissioned by an admin" }
    case "Unauthenticated":
      return { kind: "rejected", detail: "the master does not accept this slave's credential" }
    case "Forbidden":
      return { kind: "rejected", detail: "the credential belongs to another slave id" }
    case "ValidationFailed": {
      const issues = (error as { issues?: ReadonlyArray<{ path?: ReadonlyArray<unknown>; message?: string }> }).issues ?? []
      return { kind: "refused", detail: issues.slice(0, 5).map((i) => `${(i.path ?? []).join(".")}: ${i.message ?? ""}`).join("; ") || "invalid report" }
    }
    case "PayloadTooLarge":
      return { kind: "refused", detail: "the report is larger than the master accepts" }
    case "TimeoutException":
      return { kind: "unreachable", detail: "no answer in time" }
    case "RequestError":
      return { kind: "unreachable", detail: tlsHint(deepestMessage(error) || "request failed") }
    case "ResponseError": {
      const status = (error as { response?: { status?: number } }).response?.status
      return { kind: "unreachable", detail: status === undefined ? "unexpected answer" : `HTTP ${status}` }
    }
    case "ParseError":
      return { kind: "unreachable", detail: "the master answered something this agent does not understand" }
    case "InternalError":
      return { kind: "unreachable", detail: "internal error on the master" }
    default:
      return { kind: "unreachable", detail: tlsHint(deepestMessage(error) || String(tag ?? "unknown error")) }
  }
}
