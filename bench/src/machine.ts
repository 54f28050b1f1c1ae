/** What a result ran on: recorded with every result so figures from different machines are not compared blindly. */
import * as fs from "node:fs"
import * as os from "node:os"
import { machineBusy, waitForQuiet } from "./proc.js"

export interface MachineInfo {
  readonly hostname: string
  readonly os: string
  readonly kernel: string
  readonly cpuModel: string
  readonly cores: number
  readonly memoryBytes: number
  readonly node: string
  readonly loadAverage: ReadonlyArray<number>
  /** % of all cores busy during the 2 s before the run (other jobs). */
  readonly busyBeforePercent: number
}

const osName = () => {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(fs.readFileSync("/etc/os-release", "utf8"))?.[1] ?? os.type()
  } catch {
    return os.type()
  }
}

/** Describes the machine; with `waitQuietSeconds`, first waits for other jobs to calm down. */
export const describeMachine = async (waitQuietSeconds = 0): Promise<MachineInfo> => {
  if (waitQuietSeconds > 0) {
    await waitForQuiet(waitQuietSeconds, 15, (busy) => process.stderr.write(`  waiting for a quiet machine (${busy.toFixed(0)} % busy)\n`))
  }
  return describeNow()
}

const describeNow = async (): Promise<MachineInfo> => ({
  hostname: os.hostname(),
  os: osName(),
  kernel: os.release(),
  cpuModel: os.cpus()[0]?.model ?? "unknown",
  cores: os.availableParallelism(),
  memoryBytes: os.totalmem(),
  node: process.version,
  loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
  busyBeforePercent: Math.round((await machineBusy()) * 10) / 10
})

export const machineLine = (m: MachineInfo) =>
  `${m.cores} × ${m.cpuModel}, ${Math.round(m.memoryBytes / 2 ** 30)} GiB, ${m.os}, Linux ${m.kernel}, Node ${m.node}; ` +
  `busy before run ${m.busyBeforePercent} %, load ${m.loadAverage.join(" ")}`
