import type SlDialog from "@shoelace-style/shoelace/dist/components/dialog/dialog.js"
import { kt } from "../kitMessages.js"

/**
 * Asks "are you sure?" in a Shoelace dialog (never `window.confirm`: the security tests treat any
 * native dialog as an injected script). The question is set as text.
 */
export const confirmDialog = (question: string, confirmLabel: string = kt("action.confirm"), danger = true): Promise<boolean> =>
  new Promise((resolve) => {
    const dialog = document.createElement("sl-dialog") as SlDialog
    dialog.label = kt("action.confirm")
    const text = document.createElement("p")
    text.textContent = question
    const cancel = Object.assign(document.createElement("sl-button"), { slot: "footer", textContent: kt("action.cancel") })
    const ok = Object.assign(document.createElement("sl-button"), { slot: "footer", textContent: confirmLabel, variant: danger ? "danger" : "primary" })
    let answer = false
    cancel.addEventListener("click", () => void dialog.hide())
    ok.addEventListener("click", () => {
      answer = true
      void dialog.hide()
    })
    dialog.addEventListener("sl-after-hide", (event) => {
      if (event.target !== dialog) return
      dialog.remove()
      resolve(answer)
    })
    dialog.append(text, cancel, ok)
    document.body.append(dialog)
    void dialog.show()
  })
