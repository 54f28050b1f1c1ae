import { AppContext } from "@ncod/web"

/** The admin app's connection to the master (audience `admin`: admins only, no machine check). */
export const admin = new AppContext({ audience: "admin" })
