import { isatty } from "node:tty"
import { Effect } from "effect"
import { createSpinner } from "nanospinner"
import { clock, type Colors } from "./Output.js"

type Spinner = ReturnType<typeof createSpinner>

/**
 * nanospinner's start() installs SIGINT/SIGTERM handlers that call process.exit(130): that would
 * cut short the release Ctrl+C starts (stop using the device, release the lease). They are taken
 * off again at once; ncod's own handlers stop the spinner through the command's finalizers.
 */
const startQuietly = (spinner: Spinner, text: string) => {
  const before = { SIGINT: new Set(process.listeners("SIGINT")), SIGTERM: new Set(process.listeners("SIGTERM")) }
  spinner.start({ text })
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    for (const listener of process.listeners(signal)) if (!before[signal].has(listener)) process.off(signal, listener)
  }
  return spinner
}

/**
 * nanospinner decides once, for the whole process, whether it animates: only when stdout is a
 * terminal, TERM is not "dumb" and no CI variable is set. When it does not, update() changes the
 * text without drawing it, so a status line would stay stale on screen: such terminals get the
 * plain line-per-change output instead.
 */
const spinnerAnimates = (stream: NodeJS.WriteStream) =>
  stream.isTTY === true && isatty(1) && process.env["TERM"] !== "dumb" && !("CI" in process.env)

/**
 * What a long-running command shows: on a terminal, a spinner line with the current status and
 * notes printed above it; elsewhere (logs, pipes, tests) one timestamped line per note and per
 * change of status, without colours or cursor movement.
 */
export interface StatusLine {
  readonly status: (text: string) => Effect.Effect<void>
  readonly note: (text: string) => Effect.Effect<void>
  readonly stop: Effect.Effect<void>
}

export const makeStatusLine = (stream: NodeJS.WriteStream, colors: Colors): StatusLine => {
  if (!spinnerAnimates(stream)) {
    let last = ""
    const line = (text: string) => void stream.write(`${clock()} ${text}\n`)
    return {
      status: (text) =>
        Effect.sync(() => {
          if (text !== last) line(text)
          last = text
        }),
      note: (text) => Effect.sync(() => line(text)),
      stop: Effect.void
    }
  }
  const spinner = createSpinner("", { stream, color: "cyan" })
  let started = false
  return {
    status: (full) =>
      Effect.sync(() => {
        // one terminal line exactly: a wrapped status line would leave copies behind when redrawn
        const room = Math.max(10, (stream.columns || 80) - 3)
        const text = full.length > room ? `${full.slice(0, room - 1)}…` : full
        if (!started) {
          startQuietly(spinner, text)
          started = true
        } else spinner.update({ text })
      }),
    note: (text) =>
      Effect.sync(() => {
        if (started) spinner.clear()
        stream.write(`${colors.dim(clock())} ${text}\n`)
        if (started) spinner.render()
      }),
    stop: Effect.sync(() => {
      if (started) spinner.clear().stop()
      started = false
    })
  }
}

/** Runs `effect` behind a spinner on a terminal (nothing elsewhere); the spinner never outlives it. */
export const withSpinner = <A, E, R>(text: string, effect: Effect.Effect<A, E, R>, stream: NodeJS.WriteStream = process.stderr) =>
  !spinnerAnimates(stream)
    ? effect
    : Effect.acquireUseRelease(
        Effect.sync(() => startQuietly(createSpinner(text, { stream, color: "cyan" }), text)),
        () => effect,
        (spinner) => Effect.sync(() => void spinner.clear().stop())
      )
