import { Clock, Duration, Effect } from "effect"
import { execFile } from "node:child_process"
import * as net from "node:net"
import type { Health } from "../agent/Health.js"
import type { Signals } from "../agent/Signals.js"
import type { AgentSettings } from "../config/Settings.js"

/** Can something connect to vhusbd's TCP port? Resolves with why not, or null when it can. */
export const probeTcp = (host: string, port: number, timeoutMs: number) =>
  Effect.async<string | null>((resume) => {
    const socket = net.createConnection({ host, port })
    const done = (problem: string | null) => {
      clearTimeout(timer)
      socket.destroy()
      resume(Effect.succeed(problem))
    }
    const timer = setTimeout(() => done(`no answer on ${host}:${port} within ${timeoutMs} ms`), timeoutMs)
    // a port nobody listens on in the ephemeral range can "connect" to itself (TCP simultaneous open)
    socket.once("connect", () => done(socket.localPort === socket.remotePort && socket.localAddress === socket.remoteAddress ? `${host}:${port}: nothing listens` : null))
    socket.once("error", (error: NodeJS.ErrnoException) => done(`${host}:${port}: ${error.code ?? error.message}`))
    return Effect.sync(() => {
      clearTimeout(timer)
      socket.destroy()
    })
  })

/** Runs the configured restart command (argv, no shell), at most 60 s. */
const runCommand = (argv: ReadonlyArray<string>) =>
  Effect.async<{ readonly ok: boolean; readonly detail: string }>((resume) => {
    const child = execFile(argv[0]!, argv.slice(1), { timeout: 60_000 }, (error, _stdout, stderr) =>
      resume(Effect.succeed(error ? { ok: false, detail: (String(stderr).trim() || error.message).slice(0, 300) } : { ok: true, detail: "" }))
    )
    return Effect.sync(() => child.kill())
  })

export interface ServerWatchDeps {
  readonly settings: AgentSettings
  readonly health: Health
  readonly signals: Signals
}

/**
 * ServerWatch: notices when vhusbd stops answering on its port (the report then says degraded),
 * logs it once, and when a restart command is configured restarts vhusbd after it has been down
 * for a while, no more often than the cooldown allows.
 */
export const makeServerWatch = ({ health, settings, signals }: ServerWatchDeps) => {
  const run: Effect.Effect<never> = Effect.gen(function* () {
    let downSince: number | null = null
    let lastRestart = Number.NEGATIVE_INFINITY
    const timeoutMs = Math.min(2_000, Math.max(200, settings.watchIntervalSeconds * 1000))
    for (;;) {
      const problem = yield* probeTcp(settings.vhusbdHost, settings.vhusbdPort, timeoutMs)
      const now = yield* Clock.currentTimeMillis
      if (problem === null) {
        downSince = null
        if (yield* health.transition("vhusbd", "up")) {
          yield* Effect.logInfo("vhusbd up").pipe(Effect.annotateLogs({ port: settings.vhusbdPort }))
          yield* signals.scan.wake
        }
      } else {
        downSince ??= now
        if (yield* health.transition("vhusbd", "down", problem)) {
          yield* Effect.logWarning("vhusbd down: the slave reports itself degraded").pipe(Effect.annotateLogs({ reason: problem }))
          yield* signals.scan.wake
        }
        const command = settings.vhusbdRestartCommand
        if (
          command !== null &&
          now - downSince >= settings.vhusbdRestartAfterSeconds * 1000 &&
          now - lastRestart >= settings.vhusbdRestartCooldownSeconds * 1000
        ) {
          lastRestart = now
          yield* Effect.logWarning("restarting vhusbd").pipe(Effect.annotateLogs({ command: command.join(" ") }))
          const result = yield* runCommand(command)
          if (!result.ok) yield* Effect.logError("vhusbd restart failed").pipe(Effect.annotateLogs({ reason: result.detail }))
        }
      }
      yield* Effect.sleep(Duration.seconds(settings.watchIntervalSeconds))
    }
  })
  return { run }
}
