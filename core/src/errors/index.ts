export * from "./ApiErrors.js"
export * from "./AuthErrors.js"
export * from "./messages.js"
