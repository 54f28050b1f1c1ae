/**
 * Node-only side of the VirtualHere integration: transports to the local client and the
 * `VhClient` service. Import from `@ncod/core/vh-node`.
 */
export * from "./execTransport.js"
export * from "./fifoTransport.js"
export * from "./VhClient.js"
export * from "./VhTransport.js"
export * from "./windowsPipeTransport.js"
