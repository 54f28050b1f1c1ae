/** Node-only helpers shared by the master's tests, the slave agent and the client. */
export * from "./LiveEventsClient.js"
export * from "./TlsHttpClient.js"
export * from "./SimulatedSlave.js"
