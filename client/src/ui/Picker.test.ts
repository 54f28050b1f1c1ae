import { describe, expect, it } from "@effect/vitest"
import pc from "picocolors"
import { decodeKeys, displayWidth, filterItems, type PickerItem, type PickerState, pickerStep, renderPicker } from "./Picker.js"

const plain = pc.createColors(false)
const item = (n: number, name: string, slave = "lab-1"): PickerItem => ({
  id: `id-${n}`,
  name,
  slave,
  usbIds: "0403:6001",
  state: n % 2 === 0 ? "available" : "in use",
  holder: n % 2 === 0 ? "" : "Ann Lee (ann)",
  search: `${name} ${slave} serial${n}`.toLowerCase()
})
const items = Array.from({ length: 40 }, (_, n) => item(n, n === 7 ? "FT232R USB UART" : `Device ${n}`, n < 20 ? "lab-1" : "lab-2"))
const start: PickerState = { items, filter: "", selected: 0, offset: 0 }

describe("the picker", () => {
  it("decodes arrows, Enter, Escape, Backspace and typed text, several keys per chunk", () => {
    expect(decodeKeys("\x1b[A\x1b[B\r").map((k) => k._tag)).toEqual(["Up", "Down", "Enter"])
    expect(decodeKeys("\x1b")).toEqual([{ _tag: "Escape" }])
    expect(decodeKeys("ft2\x7f")).toEqual([{ _tag: "Char", char: "f" }, { _tag: "Char", char: "t" }, { _tag: "Char", char: "2" }, { _tag: "Backspace" }])
    expect(decodeKeys("\x1bOB\x1b[6~\x03").map((k) => k._tag)).toEqual(["Down", "PageDown", "Interrupt"])
  })

  it("filters on every typed word across name, slave and serial", () => {
    expect(filterItems(items, "ft232").map((i) => i.name)).toEqual(["FT232R USB UART"])
    expect(filterItems(items, "lab-2 device 3").map((i) => i.name)).toEqual(["Device 23", "Device 30", "Device 31", "Device 32", "Device 33", "Device 34", "Device 35", "Device 36", "Device 37", "Device 38", "Device 39"])
    expect(filterItems(items, "serial7")).toHaveLength(1)
  })

  it("moves the selection, scrolls to keep it visible, and picks with Enter", () => {
    let state = start
    for (let i = 0; i < 25; i++) state = pickerStep(state, { _tag: "Down" }, 24).state
    expect(state.selected).toBe(25)
    expect(state.offset).toBe(25 - 20 + 1)
    state = pickerStep(state, { _tag: "Home" }, 24).state
    expect([state.selected, state.offset]).toEqual([0, 0])
    state = pickerStep(state, { _tag: "End" }, 24).state
    expect(state.selected).toBe(39)
    for (const char of "ft2") state = pickerStep(state, { _tag: "Char", char }, 24).state
    expect(state.selected).toBe(0)
    const picked = pickerStep(state, { _tag: "Enter" }, 24).outcome
    expect(picked).toMatchObject({ _tag: "Pick", item: { id: "id-7" } })
  })

  it("quits with Escape, and with q only while the filter is empty", () => {
    expect(pickerStep(start, { _tag: "Escape" }, 24).outcome._tag).toBe("Quit")
    expect(pickerStep(start, { _tag: "Char", char: "q" }, 24).outcome._tag).toBe("Quit")
    const typing = pickerStep({ ...start, filter: "x" }, { _tag: "Char", char: "q" }, 24)
    expect([typing.outcome._tag, typing.state.filter]).toEqual(["Continue", "xq"])
  })

  it("fills an 80×24 terminal exactly, no line wider than 80 columns", () => {
    const lines = renderPicker({ ...start, items: [...items, item(99, "非常长的设备名称 with a very long product string indeed")] }, 80, 24, plain, "ncod pick")
    expect(lines).toHaveLength(24)
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(80)
    expect(lines[0]).toContain("41/41 devices")
    expect(lines[3]).toMatch(/^> Device 0 /)
    expect(lines[23]).toContain("Enter connect")
  })
})
