import { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { Schema } from "effect"
import { Timestamp } from "../schema/Timestamp.js"

export const ServerInfo = Schema.Struct({
  product: Schema.Literal("ncod"),
  version: Schema.String,
  apiVersion: Schema.Literal("v1"),
  database: Schema.Literal("postgres", "embedded"),
  serverTime: Timestamp
})
export type ServerInfo = typeof ServerInfo.Type

/** What a client or agent checks first: is this an ncod master, which version, is it in dev mode. */
export class MetaApi extends HttpApiGroup.make("meta")
  .add(HttpApiEndpoint.get("info", "/info").addSuccess(ServerInfo))
  .prefix("/api/v1")
{}
