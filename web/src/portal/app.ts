import { AppContext } from "../kit/AppContext.js"

/** The portal's connection to the master (audience `portal`). */
export const portal = new AppContext({ audience: "portal" })
