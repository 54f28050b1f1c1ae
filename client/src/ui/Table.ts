import Table from "cli-table3"
import type { Colors } from "./Output.js"

/** A plain table (no box drawing): readable in a terminal, a log or a pipe alike. */
export const renderTable = (head: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>, colors: Colors): string => {
  const table = new Table({
    head: head.map((title) => colors.bold(title)),
    chars: {
      top: "", "top-mid": "", "top-left": "", "top-right": "",
      bottom: "", "bottom-mid": "", "bottom-left": "", "bottom-right": "",
      left: "", "left-mid": "", mid: "", "mid-mid": "",
      right: "", "right-mid": "", middle: "  "
    },
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0 }
  })
  for (const row of rows) table.push([...row])
  return table.toString().split("\n").map((line) => line.trimEnd()).join("\n")
}
