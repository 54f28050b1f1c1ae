/** The client's version, as `ncod --version` prints it (kept in step with package.json). */
export const clientVersion = "0.1.0"
