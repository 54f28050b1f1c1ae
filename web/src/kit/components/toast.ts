import type SlAlert from "@shoelace-style/shoelace/dist/components/alert/alert.js"

/**
 * A short notice in the corner. The message is set as text, never as HTML: it may carry a device
 * nickname or a person's name.
 */
export const toast = (message: string, variant: "primary" | "success" | "warning" | "danger" | "neutral" = "primary", duration = 6000) => {
  const alert = Object.assign(document.createElement("sl-alert"), { variant, closable: true, duration }) as SlAlert
  const icon = document.createElement("sl-icon")
  icon.slot = "icon"
  icon.name = variant === "success" ? "check2-circle" : variant === "danger" || variant === "warning" ? "exclamation-triangle" : "info-circle"
  const text = document.createElement("span")
  text.textContent = message
  alert.append(icon, text)
  document.body.append(alert)
  return alert.toast()
}
