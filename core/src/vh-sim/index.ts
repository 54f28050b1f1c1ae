/**
 * The VirtualHere simulator (Node only): simulated USB servers and client daemons that speak the
 * real client API layouts. Import from `@ncod/core/vh-sim`. See README.md.
 */
export * from "./hooks.js"
export * from "./pipeServers.js"
export * from "./protocol.js"
export * from "./SimClientDaemon.js"
export * from "./SimUsbServer.js"
export * from "./usbDevice.js"
export * from "./scoped.js"
