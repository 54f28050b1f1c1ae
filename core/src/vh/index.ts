/**
 * The VirtualHere client protocol without I/O: models, parsers, printers, command builders and the
 * vhusbd config.ini model. Browser-safe: imports only `effect`. Everything exported is named for
 * VirtualHere (`Vh…`, `…Reply`, `build…Command`) so it can sit in core's flat namespace.
 */
export {
  clientNotRunningTexts,
  failureOfQueryReply,
  isClientNotRunningText,
  parseActionReply,
  parseManualHubList,
  printActionReply,
  printManualHubList
} from "./actionReply.js"
export { formatVhAddress, sameVhAddress, splitVhAddress, type VhAddressParts } from "./address.js"
export { parseClientState, printClientState } from "./clientState.js"
export * from "./commands.js"
export { normalizeUsbIdText, parseDeviceInfoReply, printDeviceInfoReply } from "./deviceInfoReply.js"
export { VhClientNotRunning, VhCommandFailed, VhInvalidArgument, VhParseError, VhTimeout } from "./errors.js"
export { parseListReply, printListReply } from "./listReply.js"
export * from "./models.js"
export { normalizeReply as normalizeVhReply, sameHost as sameVhHost } from "./normalize.js"
export { parseCommandLine as parseVhCommandLine, type VhParsedCommand } from "./parseCommand.js"
export * from "./serverConfig.js"
export { parseServerInfoReply, printServerInfoReply } from "./serverInfoReply.js"
export * from "./stateQueries.js"
