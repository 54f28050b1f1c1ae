/**
 * @ncod/core: the contract every other part derives from. Browser-safe: nothing here imports a
 * Node-only module (the VirtualHere transports live behind their own subpath).
 */
export * from "./api/index.js"
export * from "./domain/index.js"
export * from "./errors/index.js"
export * from "./ids.js"
export * from "./rpc/index.js"
export * from "./schema/index.js"
export * from "./vh/index.js"
export * from "./demo/index.js"
