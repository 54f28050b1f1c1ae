import { Context, Data, Duration, Effect, Schedule } from "effect"
import { type VhCommand, type VhClientNotRunning, VhCommandFailed, VhTimeout } from "../vh/index.js"

/**
 * One way to hand a command line to the running VirtualHere client and get its reply text back.
 * The protocol module builds the command and parses the reply; a transport only moves bytes.
 */
export interface VhTransportShape {
  readonly send: (command: VhCommand) => Effect.Effect<string, VhTransportError>
}
export type VhTransportError = VhClientNotRunning | VhTimeout | VhCommandFailed

export class VhTransport extends Context.Tag("@ncod/core/VhTransport")<VhTransport, VhTransportShape>() {}

/** A failure worth trying again at once: a busy pipe, EAGAIN, a reply opened by someone else. */
export class VhTransportBusy extends Data.TaggedError("VhTransportBusy")<{ readonly detail: string }> {}

export interface VhTransportPolicy {
  /** Per-command limit; the client API gives no deadline of its own, ~5 s is what the field uses. */
  readonly timeout?: Duration.DurationInput
  /** How busy failures are retried; default: 5 tries, exponential from 25 ms, jittered. */
  readonly busyRetry?: Schedule.Schedule<unknown, unknown>
}

export const defaultCommandTimeout = Duration.seconds(5)
const defaultBusyRetry = Schedule.exponential("25 millis").pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(5)))

/**
 * Wraps a raw send so every transport behaves the same: one command at a time (the client has a
 * single reply pipe, so two overlapping commands would read each other's replies), a timeout per
 * command, busy failures retried, then typed errors only.
 */
export const makeTransport = (
  rawSend: (command: VhCommand) => Effect.Effect<string, VhTransportError | VhTransportBusy>,
  policy: VhTransportPolicy = {}
): Effect.Effect<VhTransportShape> =>
  Effect.gen(function* () {
    const lock = yield* Effect.makeSemaphore(1)
    const timeout = Duration.decode(policy.timeout ?? defaultCommandTimeout)
    const busyRetry = policy.busyRetry ?? defaultBusyRetry
    const send = (command: VhCommand) =>
      rawSend(command).pipe(
        Effect.timeoutFail({
          duration: timeout,
          onTimeout: () => new VhTimeout({ command, timeoutMillis: Math.round(Duration.toMillis(timeout)) })
        }),
        Effect.retry({ schedule: busyRetry, while: (error) => error._tag === "VhTransportBusy" }),
        Effect.catchTag("VhTransportBusy", (busy) => Effect.fail(new VhCommandFailed({ command, reason: `busy: ${busy.detail}` }))),
        lock.withPermits(1),
        Effect.withSpan("VhTransport.send", { attributes: { command: command.split(",")[0] } })
      )
    return { send }
  })
