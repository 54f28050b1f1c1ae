/** The admin app's entry: Shoelace, the router under /admin/, and the root element. */
import { initShoelace, startRouter } from "@ncod/web"
import "./ncod-admin.js"

initShoelace(import.meta.env.BASE_URL)
startRouter(import.meta.env.BASE_URL)
document.body.append(document.createElement("ncod-admin"))
