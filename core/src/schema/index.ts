export * from "./Text.js"
export * from "./Timestamp.js"
