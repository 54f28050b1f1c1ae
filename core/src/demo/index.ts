export * from "./DemoData.js"
