import { Effect } from "effect"
import pc from "picocolors"

type Env = Readonly<Record<string, string | undefined>>

/** Colours only on a terminal, never with NO_COLOR (https://no-color.org), always with FORCE_COLOR. */
export const useColor = (stream: { readonly isTTY?: boolean }, env: Env = process.env): boolean => {
  if (env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "") return false
  if (env["FORCE_COLOR"] !== undefined && env["FORCE_COLOR"] !== "" && env["FORCE_COLOR"] !== "0") return true
  return stream.isTTY === true && env["TERM"] !== "dumb"
}

export type Colors = ReturnType<typeof pc.createColors>

export const stdoutColors: Colors = pc.createColors(useColor(process.stdout))
export const stderrColors: Colors = pc.createColors(useColor(process.stderr))

export const isInteractive = () => process.stdin.isTTY === true && process.stdout.isTTY === true

export const println = (text = "") => Effect.sync(() => void process.stdout.write(`${text}\n`))
export const eprintln = (text = "") => Effect.sync(() => void process.stderr.write(`${text}\n`))

/** `HH:MM:SS` in local time, for event lines. */
export const clock = (date: Date = new Date()) => date.toTimeString().slice(0, 8)

/** A short relative duration: `3 min`, `2 h 5 min`. */
export const humanDuration = (millis: number) => {
  const minutes = Math.max(0, Math.round(millis / 60_000))
  if (minutes < 60) return `${minutes} min`
  const hours = Math.floor(minutes / 60)
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`
}

/** Removes control characters from text that came from elsewhere (device names, messages). */
export const clean = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, " ")
