import type { Colors } from "./Output.js"

/** One row of the picker. `search` is what type-to-filter matches against (lower case). */
export interface PickerItem {
  readonly id: string
  readonly name: string
  readonly slave: string
  readonly usbIds: string
  readonly state: string
  readonly holder: string
  readonly search: string
}

export interface PickerState {
  readonly items: ReadonlyArray<PickerItem>
  readonly filter: string
  /** Index into the filtered list. */
  readonly selected: number
  /** First filtered row shown. */
  readonly offset: number
}

export type Key =
  | { readonly _tag: "Up" | "Down" | "PageUp" | "PageDown" | "Home" | "End" | "Enter" | "Escape" | "Backspace" | "Interrupt" | "ClearFilter" | "Refresh" }
  | { readonly _tag: "Char"; readonly char: string }

/** Splits raw-mode input into keys (one chunk can carry several: typing fast, a paste, tmux). */
export const decodeKeys = (chunk: string): ReadonlyArray<Key> => {
  const keys: Array<Key> = []
  if (chunk === "\x1b") return [{ _tag: "Escape" }]
  let i = 0
  while (i < chunk.length) {
    const rest = chunk.slice(i)
    const sequence = /^\x1b(\[[0-9;]*[A-Za-z~]|O[A-Za-z])/.exec(rest)
    if (sequence) {
      const code = sequence[1]!
      const tag = ({ "[A": "Up", OA: "Up", "[B": "Down", OB: "Down", "[5~": "PageUp", "[6~": "PageDown", "[H": "Home", OH: "Home", "[1~": "Home", "[F": "End", OF: "End", "[4~": "End" } as const)[code as "[A"]
      if (tag) keys.push({ _tag: tag })
      i += sequence[0].length
      continue
    }
    const char = rest[0]!
    i += 1
    if (char === "\x1b") keys.push({ _tag: "Escape" })
    else if (char === "\r" || char === "\n") keys.push({ _tag: "Enter" })
    else if (char === "\x7f" || char === "\b") keys.push({ _tag: "Backspace" })
    else if (char === "\x03") keys.push({ _tag: "Interrupt" })
    else if (char === "\x15") keys.push({ _tag: "ClearFilter" })
    else if (char === "\x12") keys.push({ _tag: "Refresh" })
    else if (char === "\x10") keys.push({ _tag: "Up" })
    else if (char === "\x0e") keys.push({ _tag: "Down" })
    else if (char >= " ") keys.push({ _tag: "Char", char })
  }
  return keys
}

/** Every word of the filter must appear somewhere in the row (name, nickname, serial, slave…). */
export const filterItems = (items: ReadonlyArray<PickerItem>, filter: string) => {
  const words = filter.toLowerCase().split(/\s+/).filter((word) => word.length > 0)
  return words.length === 0 ? items : items.filter((item) => words.every((word) => item.search.includes(word)))
}

/** Rows available for the list in a terminal of `rows` lines (title, filter, header, footer). */
export const listHeight = (rows: number) => Math.max(1, rows - 4)

const clampView = (state: PickerState, height: number): PickerState => {
  const count = filterItems(state.items, state.filter).length
  const selected = count === 0 ? 0 : Math.min(Math.max(state.selected, 0), count - 1)
  let offset = Math.min(state.offset, Math.max(0, count - height))
  if (selected < offset) offset = selected
  if (selected >= offset + height) offset = selected - height + 1
  return { ...state, selected, offset: Math.max(0, offset) }
}

export type PickerOutcome = { readonly _tag: "Continue" } | { readonly _tag: "Pick"; readonly item: PickerItem } | { readonly _tag: "Quit" } | { readonly _tag: "Refresh" }

/** The next state for one key. `q` quits only while the filter is empty (else it is typed). */
export const pickerStep = (state: PickerState, key: Key, rows: number): { readonly state: PickerState; readonly outcome: PickerOutcome } => {
  const height = listHeight(rows)
  const visible = filterItems(state.items, state.filter)
  const next = (changes: Partial<PickerState>) => ({ state: clampView({ ...state, ...changes }, height), outcome: { _tag: "Continue" } as const })
  switch (key._tag) {
    case "Up":
      return next({ selected: state.selected - 1 })
    case "Down":
      return next({ selected: state.selected + 1 })
    case "PageUp":
      return next({ selected: state.selected - height })
    case "PageDown":
      return next({ selected: state.selected + height })
    case "Home":
      return next({ selected: 0 })
    case "End":
      return next({ selected: visible.length - 1 })
    case "Backspace":
      return next({ filter: state.filter.slice(0, -1), selected: 0, offset: 0 })
    case "ClearFilter":
      return next({ filter: "", selected: 0, offset: 0 })
    case "Refresh":
      return { state, outcome: { _tag: "Refresh" } }
    case "Escape":
    case "Interrupt":
      return { state, outcome: { _tag: "Quit" } }
    case "Enter": {
      const item = visible[state.selected]
      return item ? { state, outcome: { _tag: "Pick", item } } : { state, outcome: { _tag: "Continue" } }
    }
    case "Char":
      if (key.char === "q" && state.filter === "") return { state, outcome: { _tag: "Quit" } }
      return next({ filter: state.filter + key.char, selected: 0, offset: 0 })
  }
}

/** Display width of a string, counting CJK and other wide characters as two columns. */
export const displayWidth = (text: string) => {
  let width = 0
  for (const char of text) width += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{1f300}-\u{1faff}]/u.test(char) ? 2 : 1
  return width
}

/** Cuts or pads to exactly `width` columns (an ellipsis marks a cut). */
export const fit = (text: string, width: number) => {
  if (width <= 0) return ""
  if (displayWidth(text) <= width) return text + " ".repeat(width - displayWidth(text))
  let out = ""
  for (const char of text) {
    if (displayWidth(out + char) > width - 1) break
    out += char
  }
  return out + "…" + " ".repeat(Math.max(0, width - 1 - displayWidth(out)))
}

/** The whole screen, one string per terminal line (exactly `rows` lines, none wider than `cols`). */
export const renderPicker = (state: PickerState, cols: number, rows: number, colors: Colors, title: string): ReadonlyArray<string> => {
  const width = Math.max(20, cols)
  const height = listHeight(rows)
  const visible = filterItems(state.items, state.filter)
  const nameWidth = Math.max(10, Math.floor((width - 2) * 0.34))
  const slaveWidth = Math.max(6, Math.floor((width - 2) * 0.17))
  const idsWidth = 9
  const stateWidth = 13
  const holderWidth = Math.max(0, width - 2 - nameWidth - slaveWidth - idsWidth - stateWidth - 4)
  const row = (cells: ReadonlyArray<string>) =>
    [fit(cells[0]!, nameWidth), fit(cells[1]!, slaveWidth), fit(cells[2]!, idsWidth), fit(cells[3]!, stateWidth), fit(cells[4]!, holderWidth)].join(" ")
  const lines: Array<string> = []
  lines.push(colors.bold(fit(`${title}  ${visible.length}/${state.items.length} devices`, width)))
  lines.push(fit(`Filter: ${state.filter}_`, width))
  lines.push(colors.dim(`  ${row(["DEVICE", "SLAVE", "VID:PID", "STATE", "HOLDER"])}`))
  for (let i = 0; i < height; i++) {
    const index = state.offset + i
    const item = visible[index]
    if (!item) {
      lines.push(i === 0 && visible.length === 0 ? colors.dim(fit("  no device matches the filter", width)) : "")
      continue
    }
    const text = row([item.name, item.slave, item.usbIds, item.state, item.holder])
    lines.push(index === state.selected ? colors.inverse(`> ${text}`) : `  ${text}`)
  }
  lines.push(colors.dim(fit("↑/↓ move  type to filter  Enter connect  Esc quit", width)))
  return lines
}
