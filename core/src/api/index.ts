export * from "./HealthApi.js"
export * from "./MetaApi.js"
export * from "./NcodApi.js"
