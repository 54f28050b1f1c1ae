import { describe, expect, it } from "vitest"
import { nextReportDelayMs } from "./ReportSchedule.js"

describe("the next report", () => {
  it("is due one interval after the previous one was sent, however long the answer took", () => {
    expect(nextReportDelayMs(1_000, 1_050, 30)).toBe(29_950)
    expect(nextReportDelayMs(1_000, 13_000, 30)).toBe(18_000)
    expect(nextReportDelayMs(1_000, 1_000, 27.4)).toBe(27_400)
  })

  it("after an answer later than half an interval, waits half to one and a half intervals, at random", () => {
    expect(nextReportDelayMs(0, 20_000, 30, () => 0)).toBe(15_000)
    expect(nextReportDelayMs(0, 20_000, 30, () => 0.5)).toBe(30_000)
    expect(nextReportDelayMs(0, 40_000, 30, () => 0.999)).toBe(44_970)
  })

  it("never comes sooner than one interval after the previous report", () => {
    for (const elapsed of [0, 1, 14_999, 15_000, 15_001, 29_000, 60_000]) {
      for (const draw of [0, 0.25, 0.999]) expect(elapsed + nextReportDelayMs(0, elapsed, 30, () => draw)).toBeGreaterThanOrEqual(30_000)
    }
  })

  it("spreads slaves answered together over a whole interval when the answers came late", () => {
    let seed = 7
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647)
    const delays = Array.from({ length: 3_000 }, () => nextReportDelayMs(0, 40_000, 30, random))
    const buckets = new Array<number>(10).fill(0)
    for (const d of delays) buckets[Math.min(9, Math.floor((d - 15_000) / 3_000))]!++
    // 3,000 slaves over ten 3-second buckets: about 300 each, none near the whole cohort
    for (const n of buckets) expect(n).toBeGreaterThan(200)
  })

  it("counts a clock that went backwards as an instant answer", () => {
    expect(nextReportDelayMs(5_000, 4_000, 30)).toBe(30_000)
  })
})
