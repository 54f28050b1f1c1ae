export * from "./EventsRpc.js"
export * from "./LiveEvent.js"
export * from "./SlaveLinkRpc.js"
