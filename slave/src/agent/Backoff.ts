/**
 * Delay before retry number `attempt` (0-based) while the master is away: doubling from `base`,
 * capped, with "equal jitter" (between half and all of that), so a fleet that lost its master
 * together does not come back in lockstep, and no retry is ever immediate.
 */
export const backoffDelayMs = (attempt: number, baseSeconds: number, capSeconds: number, random: () => number = Math.random) => {
  const ceiling = Math.min(capSeconds, baseSeconds * 2 ** Math.min(Math.max(attempt, 0), 40)) * 1000
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}
