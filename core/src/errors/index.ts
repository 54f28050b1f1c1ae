export * from "./ApiErrors.js"
export * from "./messages.js"
