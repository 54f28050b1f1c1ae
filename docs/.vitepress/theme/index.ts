import DefaultTheme from "vitepress/theme"
import type { Theme } from "vitepress"
import ApiOperations from "./ApiOperations.vue"
import "./custom.css"

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component("ApiOperations", ApiOperations)
  }
} satisfies Theme
