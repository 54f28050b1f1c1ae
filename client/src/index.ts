/**
 * @ncod/client: the `ncod` command. The entry point is bin.ts; these exports are the pieces other
 * tools or tests may reuse without spawning the command.
 */
export * from "./config/ClientConfig.js"
export * from "./config/Paths.js"
export * from "./machine/Identity.js"
export * from "./machine/Macs.js"
export * from "./commands/Failure.js"
export * from "./ui/Picker.js"
export * from "./vh/Binding.js"
