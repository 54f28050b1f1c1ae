/** The bench's reusable pieces (the scenarios run through main.ts). */
export * from "./args.js"
export * from "./prom.js"
export * from "./stats.js"
export * from "./table.js"
