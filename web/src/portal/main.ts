/** The portal's entry: Shoelace, the router, and the root element. */
import { initShoelace } from "../kit/shoelace.js"
import { startRouter } from "../kit/router.js"
import "./ncod-portal.js"

initShoelace(import.meta.env.BASE_URL)
startRouter(import.meta.env.BASE_URL)
document.body.append(document.createElement("ncod-portal"))
