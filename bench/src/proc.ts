/** CPU and memory of processes from /proc (Linux), sampled while a scenario runs. */
import * as fs from "node:fs"
import * as os from "node:os"

/** USER_HZ: 100 on every Linux this runs on (x86-64, arm64). */
const TICKS_PER_SECOND = 100

export interface ProcCpu {
  readonly ticks: number
}

const readText = (file: string) => {
  try {
    return fs.readFileSync(file, "utf8")
  } catch {
    return undefined
  }
}

/** utime + stime of a process in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
export const cpuTicks = (pid: number): number | undefined => {
  const text = readText(`/proc/${pid}/stat`)
  if (text === undefined) return undefined
  // the command name may contain spaces and parentheses: fields start after the last ")"
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ")
  return Number(fields[11]) + Number(fields[12])
}

/** VmRSS and VmHWM (peak RSS) in bytes. */
export const memory = (pid: number): { rss: number; hwm: number } | undefined => {
  const text = readText(`/proc/${pid}/status`)
  if (text === undefined) return undefined
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0) * 1024
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") }
}

/** RSS and peak RSS summed over processes (a master with workers); undefined when none is readable. */
export const memoryOf = (pids: ReadonlyArray<number>) => {
  const found = pids.map(memory).filter((m) => m !== undefined)
  return found.length === 0 ? undefined : { rss: found.reduce((a, m) => a + m.rss, 0), hwm: found.reduce((a, m) => a + m.hwm, 0) }
}

/**
 * Busy, stolen and total jiffies of the whole machine (first line of /proc/stat). Steal is time a
 * virtual CPU was ready to run but the hypervisor ran someone else: it counts as busy, yet no process
 * here used it.
 */
export const systemTicks = (): { busy: number; steal: number; total: number } => {
  const line = (readText("/proc/stat") ?? "cpu 0").split("\n")[0]!
  const values = line.trim().split(/\s+/).slice(1).map(Number)
  const total = values.reduce((a, b) => a + b, 0)
  const idle = (values[3] ?? 0) + (values[4] ?? 0)
  return { busy: total - idle, steal: values[7] ?? 0, total }
}

/** Direct children of a process (every thread's children file). */
export const childPids = (pid: number): Array<number> => {
  const out = new Set<number>()
  let tasks: Array<string> = []
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`)
  } catch {
    return []
  }
  for (const task of tasks) {
    for (const child of (readText(`/proc/${pid}/task/${task}/children`) ?? "").trim().split(/\s+/)) {
      if (child !== "") out.add(Number(child))
    }
  }
  return [...out]
}

export interface Window {
  readonly seconds: number
  /** Per group: CPU as % of one core, averaged over the window. */
  readonly cpuPercent: Readonly<Record<string, number>>
  /** Per group: the largest RSS sampled in the window (sum over the group's processes). */
  readonly peakRss: Readonly<Record<string, number>>
  /** The whole machine: % of all cores busy. */
  readonly machineBusyPercent: number
  /** CPU used by processes outside every group (other jobs on the machine), % of one core. */
  readonly othersPercentOfOneCore: number
  /** CPU the hypervisor gave to other machines while ours wanted it, % of one core. */
  readonly stealPercentOfOneCore: number
}

interface Sample {
  readonly at: number
  readonly ticks: Record<string, number>
  readonly rss: Record<string, number>
  readonly system: { busy: number; steal: number; total: number }
}

/**
 * Samples named groups of processes every `intervalMs`. `mark(label)` starts a window; `window(a, b)`
 * gives CPU and peak memory between two marks. Groups may change (pids added as they appear).
 */
export class ProcSampler {
  private readonly groups = new Map<string, Set<number>>()
  private readonly samples: Array<Sample> = []
  private readonly marks = new Map<string, number>()
  private timer: NodeJS.Timeout | undefined
  // ticks of processes that have exited stay counted in their group
  private readonly lastTicks = new Map<number, number>()

  constructor(private readonly intervalMs = 500) {}

  set(group: string, pids: ReadonlyArray<number>) {
    const set = this.groups.get(group) ?? new Set<number>()
    for (const pid of pids) set.add(pid)
    this.groups.set(group, set)
  }

  start() {
    this.sample()
    this.timer = setInterval(() => this.sample(), this.intervalMs)
    this.timer.unref()
  }

  stop() {
    if (this.timer) clearInterval(this.timer)
    this.sample()
  }

  sample() {
    const ticks: Record<string, number> = {}
    const rss: Record<string, number> = {}
    for (const [group, pids] of this.groups) {
      let t = 0
      let r = 0
      for (const pid of pids) {
        const now = cpuTicks(pid)
        if (now !== undefined) this.lastTicks.set(pid, now)
        t += this.lastTicks.get(pid) ?? 0
        r += memory(pid)?.rss ?? 0
      }
      ticks[group] = t
      rss[group] = r
    }
    const sample = { at: performance.now(), ticks, rss, system: systemTicks() }
    this.samples.push(sample)
    return sample
  }

  mark(label: string) {
    this.sample()
    this.marks.set(label, this.samples.length - 1)
  }

  window(from: string, to: string): Window {
    const a = this.marks.get(from)
    const b = this.marks.get(to)
    if (a === undefined || b === undefined) throw new Error(`no marks ${from}/${to}`)
    const first = this.samples[a]!
    const last = this.samples[b]!
    const seconds = (last.at - first.at) / 1000
    const cpuPercent: Record<string, number> = {}
    const peakRss: Record<string, number> = {}
    for (const group of this.groups.keys()) {
      cpuPercent[group] = seconds > 0 ? (((last.ticks[group] ?? 0) - (first.ticks[group] ?? 0)) / TICKS_PER_SECOND / seconds) * 100 : 0
      peakRss[group] = Math.max(0, ...this.samples.slice(a, b + 1).map((s) => s.rss[group] ?? 0))
    }
    const totalDelta = last.system.total - first.system.total
    const machineBusyPercent = totalDelta > 0 ? ((last.system.busy - first.system.busy) / totalDelta) * 100 : 0
    const ours = Object.values(cpuPercent).reduce((a, b) => a + b, 0)
    const stealPercentOfOneCore = totalDelta > 0 ? ((last.system.steal - first.system.steal) / totalDelta) * 100 * os.availableParallelism() : 0
    const othersPercentOfOneCore = Math.max(0, machineBusyPercent * os.availableParallelism() - ours - stealPercentOfOneCore)
    return { seconds, cpuPercent, peakRss, machineBusyPercent, othersPercentOfOneCore, stealPercentOfOneCore: Math.round(stealPercentOfOneCore * 10) / 10 }
  }
}

/** How busy the machine is before a run starts (other jobs skew every figure). */
export const machineBusy = async (ms = 2000) => {
  const a = systemTicks()
  await new Promise((resolve) => setTimeout(resolve, ms))
  const b = systemTicks()
  return b.total > a.total ? ((b.busy - a.busy) / (b.total - a.total)) * 100 : 0
}

/** Waits (up to `maxSeconds`) until the machine is less than `percent` busy over 3 s; returns the last reading. */
export const waitForQuiet = async (maxSeconds: number, percent: number, onWait: (busy: number) => void) => {
  const deadline = Date.now() + maxSeconds * 1000
  let busy = await machineBusy(3000)
  while (busy >= percent && Date.now() < deadline) {
    onWait(busy)
    busy = await machineBusy(3000)
  }
  return busy
}
