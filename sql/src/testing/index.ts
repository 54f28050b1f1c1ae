export * from "./TestDatabase.js"
export * from "./CatalogSnapshot.js"
