/**
 * The Shoelace components the apps use, imported one by one (no autoloader: it would fetch from a
 * CDN-like base path at run time), their Chinese and English labels, and the base path of the few
 * icons copied next to the bundle (see vite.shared.ts).
 */
import "@shoelace-style/shoelace/dist/themes/light.css"
import "@shoelace-style/shoelace/dist/components/alert/alert.js"
import "@shoelace-style/shoelace/dist/components/badge/badge.js"
import "@shoelace-style/shoelace/dist/components/button/button.js"
import "@shoelace-style/shoelace/dist/components/card/card.js"
import "@shoelace-style/shoelace/dist/components/checkbox/checkbox.js"
import "@shoelace-style/shoelace/dist/components/copy-button/copy-button.js"
import "@shoelace-style/shoelace/dist/components/details/details.js"
import "@shoelace-style/shoelace/dist/components/dialog/dialog.js"
import "@shoelace-style/shoelace/dist/components/divider/divider.js"
import "@shoelace-style/shoelace/dist/components/drawer/drawer.js"
import "@shoelace-style/shoelace/dist/components/icon/icon.js"
import "@shoelace-style/shoelace/dist/components/icon-button/icon-button.js"
import "@shoelace-style/shoelace/dist/components/input/input.js"
import "@shoelace-style/shoelace/dist/components/option/option.js"
import "@shoelace-style/shoelace/dist/components/select/select.js"
import "@shoelace-style/shoelace/dist/components/spinner/spinner.js"
import "@shoelace-style/shoelace/dist/components/switch/switch.js"
import "@shoelace-style/shoelace/dist/components/tag/tag.js"
import "@shoelace-style/shoelace/dist/components/textarea/textarea.js"
import "@shoelace-style/shoelace/dist/components/tooltip/tooltip.js"
import "@shoelace-style/shoelace/dist/translations/zh-cn.js"
import "@shoelace-style/shoelace/dist/translations/en.js"
import { registerIconLibrary } from "@shoelace-style/shoelace/dist/utilities/icon-library.js"
import { setBasePath } from "@shoelace-style/shoelace/dist/utilities/base-path.js"

/**
 * `base` is the app's base URL ("/" or "/admin/"); icons are under `<base>shoelace/assets/icons`.
 * Shoelace's built-in "system" icons are data: URLs it fetch()es, which `connect-src 'self'`
 * blocks: they are served as files beside the bundle instead (see vite.shared.ts).
 */
export const initShoelace = (base: string) => {
  setBasePath(`${base}shoelace`)
  registerIconLibrary("system", { resolver: (name) => `${base}shoelace/assets/system/${name}.svg` })
}
