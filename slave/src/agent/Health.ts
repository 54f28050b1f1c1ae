import type { AccessMode } from "@ncod/core"
import { Effect, SubscriptionRef } from "effect"
import type { ServerFacts } from "../scanner/Inventory.js"

/** Is the master taking our reports? */
export type MasterState = "starting" | "not-enrolled" | "reachable" | "unreachable" | "rejected" | "decommissioned" | "refused-report"
/** The live grants stream (WebSocket RPC). */
export type LinkState = "starting" | "not-enrolled" | "connected" | "disconnected" | "rejected" | "decommissioned"
export type ProcessState = "unknown" | "up" | "down"

export interface Condition<S extends string> {
  readonly state: S
  readonly since: string
  readonly detail: string | null
}

/** Everything `ncod-slave status` shows: the running agent's own view, as plain JSON. */
export interface AgentHealth {
  readonly version: string
  readonly pid: number
  readonly startedAt: string
  readonly slave: { readonly id: string; readonly name: string; readonly masterUrl: string } | null
  readonly master: Condition<MasterState>
  readonly lastReport: { readonly at: string; readonly seq: number; readonly outcome: string; readonly devices: number } | null
  readonly nextReportAt: string | null
  readonly link: Condition<LinkState>
  readonly grants: { readonly count: number; readonly confirmedAt: string | null }
  readonly vhusbd: Condition<ProcessState>
  readonly vhClient: Condition<ProcessState>
  readonly server: ServerFacts | null
  readonly accessMode: AccessMode
  readonly degraded: boolean
  readonly devices: { readonly total: number; readonly inUse: number }
}

type ConditionKey = "master" | "link" | "vhusbd" | "vhClient"
type StateOf<K extends ConditionKey> = AgentHealth[K]["state"]

const now = () => new Date().toISOString()

export const makeHealth = (version: string) =>
  Effect.gen(function* () {
    const startedAt = now()
    const condition = <S extends string>(state: S): Condition<S> => ({ state, since: startedAt, detail: null })
    const ref = yield* SubscriptionRef.make<AgentHealth>({
      version,
      pid: process.pid,
      startedAt,
      slave: null,
      master: condition<MasterState>("starting"),
      lastReport: null,
      nextReportAt: null,
      link: condition<LinkState>("starting"),
      grants: { count: 0, confirmedAt: null },
      vhusbd: condition<ProcessState>("unknown"),
      vhClient: condition<ProcessState>("unknown"),
      server: null,
      accessMode: "advisory",
      degraded: false,
      devices: { total: 0, inUse: 0 }
    })

    /**
     * Moves one condition to a state. Returns true only when the state changed: callers log then,
     * and only then, so a master that stays away for an hour costs one line, not one per retry.
     */
    const transition = <K extends ConditionKey>(key: K, state: StateOf<K>, detail: string | null = null) =>
      SubscriptionRef.modify(ref, (health): [boolean, AgentHealth] => {
        const current = health[key] as Condition<string>
        const changed = current.state !== state
        const next: Condition<string> = { state, since: changed ? now() : current.since, detail }
        return [changed, { ...health, [key]: next }]
      })

    const update = (f: (health: AgentHealth) => AgentHealth) => SubscriptionRef.update(ref, f)

    return { ref, get: SubscriptionRef.get(ref), transition, update }
  })

export type Health = Effect.Effect.Success<ReturnType<typeof makeHealth>>
