export * from "./EventsRpc.js"
export * from "./LiveEvent.js"
